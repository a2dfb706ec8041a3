import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFailures } from "../../src/sandbox/parse/parse-failures.js";

describe("parseFailures", () => {
  it("reads TypeScript diagnostics from real tsc output", () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-tsc-"));
    writeFileSync(join(dir, "bad.ts"), 'const n: number = "two";\nexport const m = n.toFixed(1, 2, 3);\n');
    const tsc = resolve(import.meta.dirname, "../../node_modules/typescript/bin/tsc");
    const run = spawnSync(process.execPath, [tsc, "--noEmit", "--pretty", "false", "--strict", "bad.ts"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(run.status).not.toBe(0);
    expect(parseFailures(run.stdout)).toEqual([
      {
        file: "bad.ts",
        line: 1,
        column: 7,
        message: expect.stringMatching(/^TS2322: Type 'string' is not assignable to type 'number'/),
        kind: "type-error",
      },
      {
        file: "bad.ts",
        line: 2,
        column: 31,
        message: expect.stringMatching(/^TS2554: Expected 0-1 arguments, but got 3/),
        kind: "type-error",
      },
    ]);
  });

  it("reads tsc's pretty format too", () => {
    expect(parseFailures("src/a.ts:3:7 - error TS2304: Cannot find name 'x'.\n")).toEqual([
      { file: "src/a.ts", line: 3, column: 7, message: "TS2304: Cannot find name 'x'.", kind: "type-error" },
    ]);
  });

  it("reads a jest JSON report (--json), found among other output", () => {
    const report = {
      numFailedTests: 1,
      testResults: [
        {
          name: "/workspace/src/cart.test.js",
          status: "failed",
          message: "",
          assertionResults: [
            { status: "passed", fullName: "cart empty", failureMessages: [] },
            {
              status: "failed",
              fullName: "cart totals",
              failureMessages: [
                "Error: expect(received).toBe(expected)\n\nExpected: 3\nReceived: 4\n    at Object.<anonymous> (/workspace/src/cart.test.js:12:19)",
              ],
              location: null,
            },
          ],
        },
      ],
    };
    expect(
      parseFailures(`> cart@1.0.0 test\n> jest --json\n${JSON.stringify(report)}\nnpm error Test failed.`),
    ).toEqual([
      {
        file: "src/cart.test.js",
        line: 12,
        column: 19,
        message: expect.stringMatching(/^cart totals: Error: expect\(received\)\.toBe\(expected\)/),
        kind: "test-failure",
      },
    ]);
  });

  it("reports a test file that failed as a whole", () => {
    const report = {
      testResults: [
        {
          name: "/workspace/src/broken.test.js",
          status: "failed",
          message: "SyntaxError: Unexpected token (/workspace/src/broken.test.js:3:5)",
          assertionResults: [],
        },
      ],
    };
    expect(parseFailures(JSON.stringify(report))).toEqual([
      {
        file: "src/broken.test.js",
        line: 3,
        column: 5,
        message: "SyntaxError: Unexpected token (/workspace/src/broken.test.js:3:5)",
        kind: "test-failure",
      },
    ]);
  });

  it("reads ESLint's JSON format, errors only", () => {
    const report = [
      {
        filePath: "/workspace/src/a.js",
        messages: [
          {
            ruleId: "no-unused-vars",
            severity: 2,
            message: "'x' is defined but never used.",
            line: 1,
            column: 7,
          },
          { ruleId: "prefer-const", severity: 1, message: "Use const.", line: 2, column: 1 },
        ],
      },
      { filePath: "/workspace/src/b.js", messages: [] },
    ];
    expect(parseFailures(JSON.stringify(report, null, 2))).toEqual([
      {
        file: "src/a.js",
        line: 1,
        column: 7,
        message: "'x' is defined but never used. (no-unused-vars)",
        kind: "lint-error",
      },
    ]);
  });

  it("falls back to file:line:col lines", () => {
    expect(
      parseFailures("build/x.py:10:3: E501 line too long\nsrc/main.go:4: undefined: foo\nnothing here\n"),
    ).toEqual([
      { file: "build/x.py", line: 10, column: 3, message: "E501 line too long", kind: "error" },
      { file: "src/main.go", line: 4, column: null, message: "undefined: foo", kind: "error" },
    ]);
  });

  it("finds nothing in output without failures", () => {
    expect(parseFailures("all 12 tests passed\n")).toEqual([]);
  });
});
