import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const swarm = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [bin, "sandbox", "--cwd", cwd, "--", ...args], { encoding: "utf8" });
const repo = (config?: string) => {
  const dir = mkdtempSync(join(tmpdir(), "swarm-cli-sandbox-"));
  if (config !== undefined) {
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github/swarm.yml"), config);
  }
  return dir;
};

describe("swarm sandbox", () => {
  it("runs the command sandboxed, prints its output and the failures in it, and exits with its code", () => {
    const r = swarm(repo(), "echo src/app.ts:3:9: expected a string; echo oops >&2; id -u; exit 3");
    expect(r.status).toBe(3);
    expect(r.stdout).toContain("exit 3 after");
    expect(r.stdout).toContain(
      "--- stdout ---\nsrc/app.ts:3:9: expected a string\n1000\n--- stderr ---\noops",
    );
    expect(r.stdout).toContain("1 failure:\n  src/app.ts:3:9  error  expected a string");
  });

  it("uses the limits of the repository's .github/swarm.yml", () => {
    const r = swarm(repo("sandbox:\n  wallSeconds: 1\n"), "sleep 5");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/killed by SIGKILL after 1\.\d\d s; limits hit: wall/);
  });

  it("has no network unless asked, as an agent's checks have none", () => {
    const r = swarm(
      repo(),
      `node -e 'require("dns").lookup("registry.npmjs.org", (e) => console.log(e ? e.code : "RESOLVED"))'`,
    );
    expect(r.stdout).toMatch(/\n(EAI_AGAIN|ENOTFOUND)\n/);
  });

  it("names the problems of an invalid configuration", () => {
    const r = swarm(repo("sandbox:\n  wallSeconds: -1\n"), "true");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("sandbox.wallSeconds: must be greater than 0, but it is -1");
  });
});
