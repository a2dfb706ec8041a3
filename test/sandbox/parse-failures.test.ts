import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { parseFailures } from "../../src/sandbox/parse/parse-failures.js";
import { runCheckCommand } from "../../src/sandbox/run-checks.js";

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
        test: "cart totals",
        message: "Error: expect(received).toBe(expected)\n\nExpected: 3\nReceived: 4",
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
        message: "SyntaxError: Unexpected token (src/broken.test.js:3:5)",
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

// Each runner's default text output, recorded from the real tool (test/fixtures/check-output; paths as the
// sandbox has them): the failure's message must survive, not only where it is.
const recorded = (name: string) =>
  parseFailures(
    readFileSync(resolve(import.meta.dirname, "../fixtures/check-output", `${name}.txt`), "utf8"),
  );

describe("the text reports of test runners and compilers", () => {
  it("pytest: the assertion and its E lines, with the test's name and line", () => {
    expect(recorded("pytest")).toEqual([
      {
        file: "test_calc.py",
        line: 5,
        column: null,
        test: "test_add",
        message: "assert 5 == 4\n +  where 5 = add(2, 2)",
        kind: "test-failure",
      },
      {
        file: "test_calc.py",
        line: 9,
        column: null,
        test: "test_div",
        message: "ZeroDivisionError: division by zero\n(raised at calc.py:6)",
        kind: "test-failure",
      },
      {
        file: "test_calc.py",
        line: 18,
        column: null,
        test: "TestGroup::test_strings",
        message: "AssertionError: strings differ\nassert 'abc' == 'abd'\n  - abd\n  + abc",
        kind: "test-failure",
      },
    ]);
  });

  it("pytest: a collection error, with the syntax error's caret where it points", () => {
    expect(recorded("pytest-collect")).toEqual([
      {
        file: "test_calc.py",
        line: 1,
        column: null,
        message: "File \"calc.py\", line 1\n    def add(a, b)\n                 ^\nSyntaxError: expected ':'",
        kind: "error",
      },
    ]);
  });

  it("cargo: rustc's error text and labels, not the column; a test's panic with left and right", () => {
    expect(recorded("cargo-build")).toEqual([
      {
        file: "src/lib.rs",
        line: 6,
        column: 13,
        message: "E0425: cannot find value `undefined_thing` in this scope\nnot found in this scope",
        kind: "error",
      },
      {
        file: "src/lib.rs",
        line: 2,
        column: 5,
        message:
          "E0308: mismatched types\nexpected `i32` because of return type\nexpected `i32`, found `&str`",
        kind: "error",
      },
    ]);
    expect(recorded("cargo-test").map((f) => [f.test, `${f.file}:${f.line}`, f.message])).toEqual([
      ["tests::named", "src/lib.rs:20", "name was x"],
      ["tests::adds", "src/lib.rs:15", "assertion `left == right` failed\n  left: 5\n right: 4"],
    ]);
  });

  it("vitest's default reporter: each failed test with its error and diff, and a file that failed to load", () => {
    expect(recorded("vitest")).toEqual([
      {
        file: "test/boom.test.ts",
        line: 2,
        column: 1,
        message: "Error: Cannot find module '../src/missing.js' imported from test/boom.test.ts",
        kind: "error",
      },
      {
        file: "test/sum.test.ts",
        line: 6,
        column: 23,
        test: "sum > adds",
        message:
          "AssertionError: expected 5 to be 4 // Object.is equality\n\n- Expected\n+ Received\n\n- 4\n+ 5",
        kind: "test-failure",
      },
      {
        file: "test/sum.test.ts",
        line: 9,
        column: 34,
        test: "sum > adds objects",
        message:
          'AssertionError: expected { total: 3 } to deeply equal { total: 2 }\n\n- Expected\n+ Received\n\n  {\n-   "total": 2,\n+   "total": 3,\n  }',
        kind: "test-failure",
      },
    ]);
  });

  it("jest's default reporter, plain or in colour: expected and received, where the stack says", () => {
    const expected = [
      {
        file: "src/sum.test.js",
        line: 5,
        column: 23,
        test: "sum > adds",
        message: "expect(received).toBe(expected) // Object.is equality\n\nExpected: 4\nReceived: 5",
        kind: "test-failure",
      },
      {
        file: "src/sum.test.js",
        line: 13,
        column: 28,
        test: "objects",
        message:
          'expect(received).toEqual(expected) // deep equality\n\n- Expected  - 1\n+ Received  + 1\n\n  Object {\n-   "a": 2,\n+   "a": 3,\n  }',
        kind: "test-failure",
      },
      {
        file: "src/broken.test.js",
        line: 1,
        column: 15,
        message: "Cannot find module './nope' from 'src/broken.test.js'",
        kind: "error",
      },
    ];
    expect(recorded("jest")).toEqual(expected);
    expect(recorded("jest-color")).toEqual(expected);
  });

  it("go test: a test's logged message, a subtest, a panic at its frame in the repository, a build error", () => {
    expect(recorded("go-fail")).toEqual([
      {
        file: "calc_test.go",
        line: 7,
        column: null,
        test: "TestAdd",
        message: "Add(2, 2) = 5, want 4",
        kind: "test-failure",
      },
    ]);
    expect(recorded("go-sub").map((f) => [f.test, `${f.file}:${f.line}`, f.message])).toEqual([
      ["TestAdd/small", "calc_test.go:8", "Add(2, 2) = 5, want 4"],
      ["TestPanic", "calc_test.go:15", "panic: assignment to entry in nil map"],
    ]);
    expect(recorded("go-build")).toEqual([
      { file: "calc.go", line: 3, column: 37, message: "undefined: c", kind: "error" },
    ]);
  });

  it("node --test (its TAP report, as the real runner prints it): each failing test, not its suite", () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-node-test-"));
    writeFileSync(
      join(dir, "money.test.mjs"),
      [
        'import assert from "node:assert/strict";',
        'import { describe, test } from "node:test";',
        'describe("formatCents", () => {',
        '  test("a credit note\'s minus sign comes first", () => { assert.equal("$-3.50", "-$3.50"); });',
        '  test("two decimals", () => {});',
        "});",
        'test("throws", () => { throw new Error("no money"); });',
        "",
      ].join("\n"),
    );
    const run = spawnSync(process.execPath, ["--test", "money.test.mjs"], { cwd: dir, encoding: "utf8" });
    expect(run.status).toBe(1);
    const found = parseFailures(run.stdout);
    expect(found.map((f) => [f.test, f.line, f.kind])).toEqual([
      ["a credit note's minus sign comes first", 4, "test-failure"],
      ["throws", 7, "test-failure"],
    ]);
    expect(found[0]?.file).toContain("money.test.mjs");
    expect(found[0]?.message).toContain("Expected values to be strictly equal");
    expect(found[0]?.message).toContain("expected: -$3.50");
    expect(found[0]?.message).toContain("actual: $-3.50");
    expect(found[1]?.message).toContain("no money");
  });

  it("node --test: a failure with no YAML block, one whose block is left open, and a TODO that fails", () => {
    const tap = [
      "TAP version 13",
      "not ok 1 - bare \\# one",
      "not ok 2 - open block",
      "  ---",
      "  location: '/workspace/test/a.test.mjs:3:1'",
      "  error: 'boom'",
      "not ok 3 - later # TODO not yet",
      "not ok 4 - last",
      "  ---",
      "  error: 'also'",
      "  ...",
      "1..4",
    ].join("\n");
    expect(parseFailures(tap).map((f) => [f.test, f.file, f.line, f.message])).toEqual([
      ["bare # one", "", null, "failed"],
      ["open block", "test/a.test.mjs", 3, "boom"],
      ["last", "", null, "also"],
    ]);
  });

  it("pytest: a parametrized test whose id has spaces", () => {
    expect(recorded("pytest-param")).toEqual([
      {
        file: "test_p.py",
        line: 6,
        column: null,
        test: "test_upper[hello world]",
        message: "AssertionError: assert 'HELLO WORLD' == 'OK'\n  - OK\n  + HELLO WORLD",
        kind: "test-failure",
      },
    ]);
  });

  it("go test -v: what the failing test logged, not what a passing one did", () => {
    expect(recorded("go-verbose")).toEqual([
      {
        file: "v_test.go",
        line: 7,
        column: null,
        test: "TestA",
        message: "debug before the failure\ngot 1, want 2",
        kind: "test-failure",
      },
    ]);
  });

  it("jest: a slow file's header, with its time, still names the file", () => {
    const text = readFileSync(resolve(import.meta.dirname, "../fixtures/check-output/jest.txt"), "utf8");
    const slow = parseFailures(text.replace("FAIL src/broken.test.js", "FAIL src/broken.test.js (6.214 s)"));
    expect(slow.map((f) => f.file)).toEqual(["src/sum.test.js", "src/sum.test.js", "src/broken.test.js"]);
  });

  it("tsc: a diagnostic keeps the lines that explain it", () => {
    expect(recorded("tsc-plain")[2]).toEqual({
      file: "a.ts",
      line: 4,
      column: 7,
      message:
        "TS2322: Type '(x: { a: string; }) => void' is not assignable to type '(x: { a: number; }) => void'.\nTypes of parameters 'x' and 'x' are incompatible.\nType '{ a: number; }' is not assignable to type '{ a: string; }'.\nTypes of property 'a' are incompatible.\nType 'number' is not assignable to type 'string'.",
      kind: "type-error",
    });
  });

  it("a bare column after a location is no message (cargo's --> line, read generically)", () => {
    expect(parseFailures(" --> src/lib.rs:2:5\n")).toEqual([]);
  });
});

// The same tools, run for real in the sandbox, as a node's checks run them (the test command installs pytest
// and Go from Debian).
describe("live runs of the real tools in the sandbox", () => {
  const config = RepoConfigSchema.parse({});

  it("pytest's real output keeps the assertion", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-pytest-"));
    writeFileSync(join(dir, "test_x.py"), "def test_sum():\n    assert sum([1, 2]) == 4\n");
    const r = await runCheckCommand(dir, "python3 -m pytest -q", config);
    expect(r.failures).toEqual([
      {
        file: "test_x.py",
        line: 2,
        column: null,
        test: "test_sum",
        message: "assert 3 == 4\n +  where 3 = sum([1, 2])",
        kind: "test-failure",
      },
    ]);
  });

  it("go test's real output keeps the message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-gotest-"));
    writeFileSync(join(dir, "go.mod"), "module example.com/x\n\ngo 1.19\n");
    writeFileSync(
      join(dir, "x_test.go"),
      'package x\n\nimport "testing"\n\nfunc TestX(t *testing.T) {\n\tt.Errorf("got %d, want %d", 1, 2)\n}\n',
    );
    const r = await runCheckCommand(dir, "go test ./...", config);
    expect(r.failures).toEqual([
      {
        file: "x_test.go",
        line: 6,
        column: null,
        test: "TestX",
        message: "got 1, want 2",
        kind: "test-failure",
      },
    ]);
  });
});
