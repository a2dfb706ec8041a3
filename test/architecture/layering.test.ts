import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

// Runs the project's real dependency-cruiser config on small trees laid out like src/, to show that the
// rules catch what they are meant to catch (and that `npm run lint:deps` is not a check that cannot fail).
const root = resolve(import.meta.dirname, "../..");
const depcruise = join(root, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const config = join(root, ".dependency-cruiser.cjs");

type Violation = { rule: string; from: string; to: string };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs depcruise as `npm run lint:deps` does (same output, same exit code) and reads its violations. */
function cruise(files: Record<string, string>, cwd?: string): { exitCode: number; violations: Violation[] } {
  const dir = cwd ?? mkdtempSync(join(tmpdir(), "swarm-layers-"));
  if (!cwd) {
    dirs.push(dir);
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = spawnSync(process.execPath, [depcruise, "src", "--config", config], {
    cwd: dir,
    encoding: "utf8",
  });
  const violations = [...run.stdout.matchAll(/^\s*error (\S+): (\S+) →\s*(\S+)/gm)].map(
    ([, rule, from, to]) => ({
      rule: rule ?? "",
      from: from ?? "",
      to: to ?? "",
    }),
  );
  return { exitCode: run.status ?? -1, violations };
}

const FORBIDDEN = [
  "bullmq",
  "probot",
  "@octokit/rest",
  "@octokit/webhooks",
  "@anthropic-ai/sdk",
  "simple-git",
  "ioredis",
];

describe("layering rules", () => {
  it.each(FORBIDDEN)("fail when src/domain imports %s", (pkg) => {
    const result = cruise({
      "src/domain/plan.ts": `import * as sdk from "${pkg}";\nexport const x = sdk;\n`,
    });
    expect(result.exitCode).not.toBe(0);
    // Packages that are not installed are reported by name, installed ones by their path in node_modules.
    const to = new RegExp(`^(.*node_modules/)?${pkg.replace(/[/.]/g, "\\$&")}(/|$)`);

    expect(result.violations).toContainEqual({
      rule: "domain-imports-no-sdk",
      from: "src/domain/plan.ts",
      to: expect.stringMatching(to),
    });
  });

  it("fail when src/domain imports an adapter, or does I/O", () => {
    const result = cruise({
      "src/domain/plan.ts":
        'import { f } from "../forge/github.js";\nimport { readFileSync } from "node:fs";\nexport const x = [f, readFileSync];\n',
      "src/forge/github.ts": "export const f = 1;\n",
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.violations).toEqual([
      { rule: "domain-imports-no-adapter", from: "src/domain/plan.ts", to: "src/forge/github.ts" },
      { rule: "domain-does-no-io", from: "src/domain/plan.ts", to: "fs" },
    ]);
  });

  it("fail on an import cycle, even through type-only imports", () => {
    const result = cruise({
      "src/domain/a.ts": 'import type { B } from "./b.js";\nexport type A = { b?: B };\n',
      "src/domain/b.ts": 'import type { A } from "./a.js";\nexport type B = { a?: A };\n',
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.violations.map((v) => v.rule)).toContain("no-circular");
  });

  it("pass a clean tree where outer layers import the domain", () => {
    const result = cruise({
      "src/domain/plan.ts": 'import { z } from "zod";\nexport const Plan = z.object({});\n',
      "src/pipeline/plan-spec.ts":
        'import { Plan } from "../domain/plan.js";\nexport const planSpec = () => Plan;\n',
      "src/entry/cli.ts": 'import { planSpec } from "../pipeline/plan-spec.js";\nplanSpec();\n',
    });
    expect(result.violations).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it("pass on swarm's own source", () => {
    const result = cruise({}, root);
    expect(result.violations).toEqual([]);
    expect(result.exitCode).toBe(0);
  });
});
