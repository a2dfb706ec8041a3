import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { keepEnds } from "../../src/sandbox/keep-ends.js";
import { runCheckCommands, runInstallStep } from "../../src/sandbox/run-checks.js";

// The install step and the checks the node runner and `swarm run`'s local CI share, in the real sandbox.
const configWith = (validation: Record<string, unknown>) =>
  RepoConfigSchema.parse({ validation: { installNetwork: false, ...validation } });

describe("the checks in the sandbox", () => {
  it("runs each command on its own, all of them, with output in the order it was written and failures parsed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-checks-"));
    const run = await runCheckCommands(
      dir,
      configWith({
        commands: [
          "echo 'src/a.ts(3,7): error TS2322: Type string is not number.'; exit 2",
          "echo out; echo err >&2; echo out again",
        ],
      }),
    );
    expect(run.commands.map((c) => [c.exitCode, c.passed])).toEqual([
      [2, false],
      [0, true],
    ]);
    expect(run.commands[0]?.failures).toEqual([
      {
        file: "src/a.ts",
        line: 3,
        column: 7,
        message: "TS2322: Type string is not number.",
        kind: "type-error",
      },
    ]);
    expect(run.commands[1]?.output).toBe("out\nerr\nout again\n");
  });

  it("installs with a download cache it can write; the checks never see the cache", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-install-"));
    const cacheDir = mkdtempSync(join(tmpdir(), "swarm-cache-"));
    const config = configWith({
      install:
        'echo "$npm_config_cache" > used.txt && mkdir -p "$npm_config_cache" && echo pkg > "$npm_config_cache/pkg.tgz"',
      commands: ['test -z "$npm_config_cache" && ! test -e /cache && echo "no cache here"'],
    });
    const install = await runInstallStep(dir, config, { cacheDir });
    expect(install).toMatchObject({ passed: true, command: config.validation.install });
    expect(readFileSync(join(dir, "used.txt"), "utf8")).toBe("/cache/npm\n");
    expect(readFileSync(join(cacheDir, "npm/pkg.tgz"), "utf8")).toBe("pkg\n");
    const checks = await runCheckCommands(dir, config);
    expect(checks.commands[0], JSON.stringify(checks)).toMatchObject({
      passed: true,
      output: "no cache here\n",
    });
    expect(await runInstallStep(dir, configWith({}))).toBeNull();
  });

  it("says what a failing install printed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-install-"));
    const failed = await runInstallStep(
      dir,
      configWith({ install: "echo 'npm ERR! missing lockfile' >&2; exit 1" }),
    );
    expect(failed).toMatchObject({ passed: false, exitCode: 1, output: "npm ERR! missing lockfile\n" });
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
  });
});

describe("keepEnds", () => {
  it("keeps a third of the budget from the start and two thirds from the end, at line boundaries", () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join("\n");
    const kept = keepEnds(text, 900);
    expect(kept.startsWith("line 0\nline 1\n")).toBe(true);
    expect(kept.endsWith("line 998\nline 999")).toBe(true);
    expect(kept).toMatch(
      /\n… \[\d+ lines, \d+ characters cut here: the output's start and end are kept\] …\n/,
    );
    expect(kept.length).toBeLessThan(1000);
    expect(keepEnds("short", 900)).toBe("short");
  });
});
