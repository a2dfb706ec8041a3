import type { CheckRun, CommandCheck, Failure } from "../../domain/checks/check-run.js";
import {
  type BaselineVerdict,
  failureKey,
  type JudgedFailure,
} from "../../domain/checks/compare-to-baseline.js";
import { untrusted } from "../../model/prompt/untrusted.js";

const FAILURES_SHOWN = 20;

/** Where a failure is, as `file:line` and the test's name: `test_x.py:5 \`test_x\``. */
export function failureLine(f: Failure): string {
  const at = [f.file, f.line].filter((x) => x !== null && x !== "").join(":");
  return [at ? `\`${at}\`` : "", f.test ? `\`${f.test}\`` : ""].filter(Boolean).join(" ");
}

/** A judged failure on one line: its command, where it is, and the first line of what it says. */
export function judgedLine(j: JudgedFailure): string {
  return `- \`${j.command}\`: ${failureLine(j.failure) || "(no location)"} ${j.failure.message.split("\n")[0]}`;
}

/**
 * The checks as the coder reads them: per command its exit code and time, the failures found in its output
 * (each marked new or pre-existing against the checks at the node's start, with its detail lines), and the
 * start and end of the raw output.
 */
export function formatCheckRun(run: CheckRun, verdict: BaselineVerdict | null): string {
  const preExisting = new Set(verdict?.preExisting.map((j) => failureKey(j.command, j.failure)));
  const failed = run.commands.filter((c) => !c.passed);
  const head =
    run.install && !run.install.passed
      ? "The install step failed, so the checks did not run."
      : failed.length === 0
        ? `The checks pass: all ${run.commands.length} command${run.commands.length === 1 ? "" : "s"}.`
        : `${failed.length} of ${run.commands.length} check command${run.commands.length === 1 ? "" : "s"} failed.`;
  const against = verdict
    ? verdict.passed
      ? verdict.preExisting.length > 0
        ? ` Nothing that passed before you started fails now; ${verdict.preExisting.length} failure${verdict.preExisting.length === 1 ? " was" : "s were"} already there (pre-existing: not held against this node).`
        : ""
      : ` Against the checks before you started: ${verdict.newFailures.length} new failure${verdict.newFailures.length === 1 ? "" : "s"}${verdict.preExisting.length ? `, ${verdict.preExisting.length} pre-existing` : ""}.`
    : "";
  const sections = [...(run.install ? [run.install] : []), ...run.commands].map((check) =>
    formatCommand(check, (f) =>
      preExisting.has(failureKey(check === run.install ? "(install)" : check.command, f)),
    ),
  );
  return [head + against, ...sections].join("\n\n");
}

export function formatCommand(
  check: CommandCheck,
  wasThere: (f: Failure) => boolean = () => false,
  outputWhenPassed = false,
): string {
  if (check.skipped) return `$ ${check.command}\nnot run: the install step failed`;
  const outcome =
    check.limitsHit.length > 0
      ? `stopped by the sandbox's ${check.limitsHit.join(" and ")} limit`
      : check.passed
        ? "passed"
        : `exit code ${check.exitCode}`;
  const lines = [`$ ${check.command}`, `${outcome} after ${check.seconds.toFixed(1)} s`];
  if (check.passed) {
    if (outputWhenPassed && check.output.trim())
      lines.push("Output:", untrusted("tool-output", check.output.trimEnd()));
    return lines.join("\n");
  }
  if (check.failures.length > 0) {
    lines.push(
      `${check.failures.length} failure${check.failures.length === 1 ? "" : "s"} found in the output:`,
    );
    const found = check.failures
      .slice(0, FAILURES_SHOWN)
      .flatMap((f) => [
        `- ${wasThere(f) ? "pre-existing" : "new"}: ${failureLine(f) || "(no location)"}`,
        indent(f.message),
      ]);
    if (check.failures.length > FAILURES_SHOWN)
      found.push(`- … and ${check.failures.length - FAILURES_SHOWN} more (see the output)`);
    lines.push(untrusted("check-log", found.join("\n")));
  } else lines.push("No failure could be read from the output; it follows.");
  if (check.output.trim()) lines.push("Output:", untrusted("tool-output", check.output.trimEnd()));
  return lines.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
