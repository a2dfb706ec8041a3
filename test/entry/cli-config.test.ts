import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The real CLI, as a user runs it: bin/swarm.js over the build that test/support/build-once.ts made.
const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const dir = mkdtempSync(join(tmpdir(), "swarm-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function swarm(args: string[], files: Record<string, string> = {}) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("swarm config validate", () => {
  it("exits 0 on a valid file", () => {
    const result = swarm(["config", "validate", "ok.yml"], {
      "ok.yml": "label: ai\nlimits:\n  maxNodes: 8\n",
    });
    expect(result).toEqual({ code: 0, stdout: "ok.yml: valid.\n", stderr: "" });
  });

  it("exits 1 and names a wrong type, an unknown key and a negative limit, with places and fixes", () => {
    const result = swarm(["config", "validate", "bad.yml"], {
      "bad.yml": "label: 5\nlimits:\n  maxNodes: -3\n  maxParallelNodez: 2\n",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        "bad.yml:1:8  label: must be text, but it is 5",
        "    fix: write text; quote it if it looks like a number or true/false",
        "bad.yml:3:13  limits.maxNodes: must be greater than 0, but it is -3",
        "    fix: use a number greater than 0",
        'bad.yml:4:3  limits.maxParallelNodez: unknown key "maxParallelNodez"',
        '    fix: did you mean "maxParallelNodes"? Rename it, or remove it',
        "",
        "bad.yml: 3 problems; the configuration reference lists every key.",
        "",
      ].join("\n"),
    );
  });

  it("reads .github/swarm.yml when no path is given", () => {
    const result = swarm(["config", "validate"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      ".github/swarm.yml: no such file.\n    fix: pass the path of your swarm.yml, or create .github/swarm.yml.\n",
    );
  });

  it("treats an empty file as valid (every key has a default)", () => {
    expect(swarm(["config", "validate", "empty.yml"], { "empty.yml": "" }).code).toBe(0);
  });

  it("explains an unknown command, with exit 2 as for any bad input", () => {
    const result = swarm(["config", "check"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'check'");
  });
});

describe("swarm config schema", () => {
  it("prints the JSON Schema", () => {
    const result = swarm(["config", "schema"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      title: "swarm configuration (.github/swarm.yml)",
      type: "object",
    });
  });
});
