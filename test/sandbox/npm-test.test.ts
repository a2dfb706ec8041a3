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
      test: "adds two numbers",
      message: "AssertionError: expected -1 to be 5 // Object.is equality",
      kind: "test-failure",
    },
    {
      file: "src/sum.test.js",
      line: 9,
      column: 23,
      test: "adds negative numbers",
      message: "AssertionError: expected 1 to be -5 // Object.is equality",
      kind: "test-failure",
    },
  ]);
  // vitest's default reporter gives the same failures, with the assertion's diff.
  const plain = await runSandboxed({ cwd: repo, command: "npm test" });
  const failures = parseFailures(`${plain.stdoutTail}\n${plain.stderrTail}`);
  expect(failures.map((f) => `${f.file}:${f.line} ${f.test}`)).toEqual([
    "src/sum.test.js:5 adds two numbers",
    "src/sum.test.js:9 adds negative numbers",
  ]);
  expect(failures[0]?.message).toMatch(
    /^AssertionError: expected -1 to be 5 \/\/ Object\.is equality\n\n- Expected\n\+ Received\n\n- 5\n\+ -1$/,
  );
});
