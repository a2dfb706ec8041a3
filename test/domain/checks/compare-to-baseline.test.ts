import { describe, expect, it } from "vitest";
import type { CheckRun, CommandCheck, Failure } from "../../../src/domain/checks/check-run.js";
import { compareToBaseline, normaliseMessage } from "../../../src/domain/checks/compare-to-baseline.js";

const failure = (file: string, test: string, message: string, line = 1): Failure => ({
  file,
  line,
  column: null,
  test,
  message,
  kind: "test-failure",
});
const command = (name: string, failures: Failure[], extra: Partial<CommandCheck> = {}): CommandCheck => ({
  command: name,
  exitCode: failures.length > 0 ? 1 : 0,
  passed: failures.length === 0,
  skipped: false,
  seconds: 1,
  limitsHit: [],
  failures,
  output: "",
  ...extra,
});
const run = (...commands: CommandCheck[]): CheckRun => ({ install: null, commands });

describe("verdicts against the baseline", () => {
  const legacy = failure("test/legacy.test.ts", "legacy", "expected 1 to be 2 // took 12ms", 5);

  it("passes when every failure now was there before, even if its line moved or its timing changed", () => {
    const moved = { ...legacy, line: 9, message: "expected 1 to be 2 // took 40ms" };
    expect(compareToBaseline(run(command("npm test", [legacy])), run(command("npm test", [moved])))).toEqual({
      passed: true,
      newFailures: [],
      preExisting: [{ command: "npm test", failure: moved }],
      fixed: 0,
    });
  });

  it("fails on a failure that was not there, naming it; counts the ones it fixed", () => {
    const broken = failure("test/cart.test.ts", "cart > total", "expected 3 to be 4");
    const verdict = compareToBaseline(run(command("npm test", [legacy])), run(command("npm test", [broken])));
    expect(verdict).toMatchObject({
      passed: false,
      newFailures: [{ failure: broken }],
      preExisting: [],
      fixed: 1,
    });
  });

  it("holds a second identical failure against the node: failures are counted, not only named", () => {
    const type = {
      ...failure("src/a.ts", "", "TS2322: Type 'string' is not assignable to type 'number'."),
      kind: "type-error" as const,
    };
    const verdict = compareToBaseline(
      run(command("tsc", [type])),
      run(command("tsc", [type, { ...type, line: 8 }])),
    );
    expect(verdict.newFailures).toHaveLength(1);
    expect(verdict.preExisting).toHaveLength(1);
  });

  it("judges a command that failed without a readable failure by its exit and the end of its output", () => {
    const red = (code: number, output: string) =>
      command("make lint", [], { passed: false, exitCode: code, output });
    const before = red(2, "checking 40 files\nlint: 3 problems (took 1.2s)\n");
    expect(
      compareToBaseline(run(before), run(red(2, "checking 40 files\nlint: 3 problems (took 2.5s)\n"))).passed,
    ).toBe(true);
    // Same exit code, more problems: new breakage behind the old one is not pre-existing.
    expect(
      compareToBaseline(run(before), run(red(2, "checking 40 files\nlint: 5 problems (took 1.1s)\n"))),
    ).toMatchObject({
      passed: false,
      newFailures: [
        {
          command: "make lint",
          failure: {
            message: "exited with code 2; its output ends: checking 40 files ⏎ lint: 5 problems (took 1.1s)",
          },
        },
      ],
    });
    expect(compareToBaseline(run(command("make lint", [])), run(red(2, ""))).newFailures).toMatchObject([
      { failure: { message: "exited with code 2" } },
    ]);
    // The same failure under another command is another failure.
    expect(compareToBaseline(run(command("a", [legacy])), run(command("b", [legacy]))).passed).toBe(false);
  });

  it("without a baseline, every failure is new", () => {
    expect(compareToBaseline(null, run(command("npm test", [legacy]))).newFailures).toHaveLength(1);
  });

  it("normalises what changes from run to run, and keeps what a test asserts", () => {
    expect(normaliseMessage("Error at src/a.ts:12:5 after 1.5s (0x7ffd1234abcd) in /tmp/vitest-x1/y")).toBe(
      "Error at src/a.ts after …s (0x…) in /tmp/…",
    );
    expect(normaliseMessage("expected 5 to be 4")).not.toBe(normaliseMessage("expected 6 to be 4"));
  });
});
