import type { CheckRun, CommandCheck, Failure } from "./check-run.js";

export type JudgedFailure = { command: string; failure: Failure };

/** A node's checks judged against its starting point: only what it broke counts against it. */
export type BaselineVerdict = {
  /** Nothing that passed at the baseline fails now. */
  passed: boolean;
  newFailures: JudgedFailure[];
  /** Failures that were there before the node started: not its doing, shown but not held against it. */
  preExisting: JudgedFailure[];
  /** Failures of the baseline that are gone now. */
  fixed: number;
};

const INSTALL = "(install)";

/**
 * Compares the checks now with the checks at the node's starting point (base plus dependency branches). A
 * failure is the same across runs when its command, file, test name and normalised message are (as a
 * multiset, so a second identical failure is new). Without a baseline every failure is new.
 */
export function compareToBaseline(baseline: CheckRun | null, current: CheckRun): BaselineVerdict {
  const before = new Map<string, number>();
  for (const judged of failuresOf(baseline)) {
    const key = failureKey(judged.command, judged.failure);
    before.set(key, (before.get(key) ?? 0) + 1);
  }
  const all = failuresOf(baseline).length;
  const newFailures: JudgedFailure[] = [];
  const preExisting: JudgedFailure[] = [];
  for (const judged of failuresOf(current)) {
    const key = failureKey(judged.command, judged.failure);
    const left = before.get(key) ?? 0;
    if (left > 0) {
      before.set(key, left - 1);
      preExisting.push(judged);
    } else newFailures.push(judged);
  }
  return { passed: newFailures.length === 0, newFailures, preExisting, fixed: all - preExisting.length };
}

/** Every failure of a run, with a stand-in for a command that failed without a parsed failure. */
export function failuresOf(run: CheckRun | null): JudgedFailure[] {
  if (!run) return [];
  const checks: CommandCheck[] = [
    ...(run.install ? [{ ...run.install, command: INSTALL }] : []),
    ...run.commands,
  ];
  return checks.flatMap((check) => {
    if (check.passed) return [];
    const failures = check.failures.length > 0 ? check.failures : [standIn(check)];
    return failures.map((failure) => ({ command: check.command, failure }));
  });
}

/**
 * A command that failed with no failure swarm can read: it is the same failure as before only when its exit
 * and the end of its output are (normalised), so new breakage behind the same exit code is not pre-existing.
 */
function standIn(check: CommandCheck): Failure {
  const how = check.skipped
    ? "did not run: the install step failed"
    : check.limitsHit.length > 0
      ? `stopped by limits: ${check.limitsHit.join(", ")}`
      : `exited with code ${check.exitCode}`;
  const end = check.output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-5)
    .join(" ⏎ ");
  return {
    file: "",
    line: null,
    column: null,
    message: end ? `${how}; its output ends: ${end}` : how,
    kind: "error",
  };
}

/** A failure's identity across runs: where it is and what it says, without what changes from run to run. */
export function failureKey(command: string, f: Failure): string {
  return [command, f.file, f.test ?? "", normaliseMessage(f.message.split("\n")[0] ?? "")].join("\u0000");
}

/** A failure's message without what changes from run to run (messages come without colour codes). */
export function normaliseMessage(text: string): string {
  return text
    .replace(/0x[0-9a-f]{4,}/gi, "0x…")
    .replace(/\b\d+(?:\.\d+)?\s?(?:ms|s|µs|ns)\b/g, "…s")
    .replace(/\/tmp\/[\w./-]+/g, "/tmp/…")
    .replace(/(\.\w{1,8}):\d+(?::\d+)?/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
