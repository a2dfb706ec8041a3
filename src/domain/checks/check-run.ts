/** One thing that failed, where it is: what agents read besides the raw output. */
export type Failure = {
  file: string;
  line: number | null;
  column: number | null;
  /** The test that failed, as its runner names it (`sum > adds`, `tests::adds`, `TestAdd/small`), if any. */
  test?: string;
  /** What failed, with its detail lines (an assertion's expected and received values, a compiler's notes). */
  message: string;
  kind: "type-error" | "test-failure" | "lint-error" | "error";
};

/** One check command as it ran in the sandbox. */
export type CommandCheck = {
  command: string;
  /** null when a limit killed it, or when it did not run because the install step failed. */
  exitCode: number | null;
  passed: boolean;
  /** It did not run: the install step before it failed. */
  skipped: boolean;
  seconds: number;
  limitsHit: string[];
  failures: Failure[];
  /** The raw output, stdout and stderr, with its start and end kept and a line saying what was cut. */
  output: string;
};

/** The repository's checks on a working copy: the install step when it failed, then each command. */
export type CheckRun = { install: CommandCheck | null; commands: CommandCheck[] };

export const checkRunPassed = (run: CheckRun): boolean =>
  (run.install?.passed ?? true) && run.commands.every((c) => c.passed);
