import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `swarm context` as a user runs it (bin/swarm.js over the build), on a small repository.
const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const repo = mkdtempSync(join(tmpdir(), "swarm-cli-context-"));
afterAll(() => rmSync(repo, { recursive: true, force: true }));
const files: Record<string, string> = {
  "src/cart.ts":
    'import { priceOf } from "./prices.js";\nexport function cartTotal(ids: string[]) {\n  return ids.reduce((s, id) => s + priceOf(id), 0);\n}\n',
  "src/prices.ts": "export function priceOf(id: string): number {\n  return id.length;\n}\n",
  "src/banner.ts": "export const banner = 'shop';\n",
};
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}
const swarm = (args: string[]) => {
  const run = spawnSync(process.execPath, [bin, "context", "--repo", repo, ...args], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
};

describe("swarm context", () => {
  it("prints what an agent would receive: ranked files, signatures, the code the query names", () => {
    const result = swarm(["cart total with prices", "--budget", "300"]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 3)).toEqual([
      "## src/cart.ts",
      "  2: export function cartTotal(ids: string[]) {",
      "```",
    ]);
    expect(result.stdout).toContain("## src/prices.ts\n  1: export function priceOf(id: string): number {");
    expect(result.stderr).toMatch(/^swarm context: 3 files indexed in \d+ ms; \d files, about \d+ tokens\n$/);
  });

  it("refuses a budget that is not a whole number of tokens, and says how to fix it", () => {
    expect(swarm(["anything", "--budget", "lots"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'swarm context: --budget "lots" is not a whole number of tokens, 100 or more.\n    fix: pass --budget a number of tokens such as 4000 (the default), or leave it out\n',
    });
  });
});
