import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { parseFailures } from "../../src/sandbox/parse/parse-failures.js";
import { runSandboxed } from "../../src/sandbox/run-sandboxed.js";

// A real repository's install and `npm test` (vitest) inside the sandbox: the install step reaches the
// registry (the one network it is allowed), the test step has none.
const repo = mkdtempSync(join(tmpdir(), "swarm-sum-repo-"));
beforeAll(async () => {
  cpSync(resolve(import.meta.dirname, "../fixtures/sum-repo"), repo, { recursive: true });
  const install = await runSandboxed({
    cwd: repo,
    command: "npm install --no-audit --no-fund --loglevel=error",
    network: true,
    limits: { wallMs: 180_000 },
  });
  expect(install.stderrTail).toBe("");
  expect(install.exitCode).toBe(0);
}, 200_000);

it("passes a real npm test inside, without network", async () => {
  const r = await runSandboxed({ cwd: repo, command: "npm test" });
  expect(r.exitCode).toBe(0);
  expect(r.stdoutTail).toMatch(/2 passed/);
  expect(parseFailures(`${r.stdoutTail}\n${r.stderrTail}`)).toEqual([]);
});

it("turns a failing npm test into failures with file and line", async () => {
  writeFileSync(join(repo, "src/sum.js"), "export function sum(a, b) {\n  return a - b;\n}\n");
  const json = await runSandboxed({ cwd: repo, command: "npm test -- --reporter=json" });
  expect(json.exitCode).toBe(1);
  expect(parseFailures(json.stdoutTail)).toEqual([
    {
      file: "src/sum.test.js",
      line: 5,
      column: 21,
      message: expect.stringMatching(/^adds two numbers: AssertionError: expected -1 to be 5/),
      kind: "test-failure",
    },
    {
      file: "src/sum.test.js",
      line: 9,
      column: 23,
      message: expect.stringMatching(/^adds negative numbers: AssertionError: expected 1 to be -5/),
      kind: "test-failure",
    },
  ]);
  // With the default reporter, the generic parser still finds where it failed.
  const plain = await runSandboxed({ cwd: repo, command: "npm test" });
  const failures = parseFailures(`${plain.stdoutTail}\n${plain.stderrTail}`);
  expect(failures.map((f) => `${f.file}:${f.line}`)).toEqual(
    expect.arrayContaining(["src/sum.test.js:5", "src/sum.test.js:9"]),
  );
});
