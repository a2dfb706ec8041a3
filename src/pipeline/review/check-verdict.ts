import type { CheckResult } from "../forge.js";
import { FAILED } from "./stop-revising.js";

export type CheckVerdict = "red" | "green" | "unverified";

/**
 * What finished checks say: red when one failed; green only when at least one passed. Checks that all end
 * neutral or skipped (none configured, or every job skipped) verified nothing, so they are never green.
 */
export function checkVerdict(checks: readonly Pick<CheckResult, "conclusion">[]): CheckVerdict {
  if (checks.some((c) => c.conclusion !== null && FAILED.has(c.conclusion))) return "red";
  return checks.some((c) => c.conclusion === "success") ? "green" : "unverified";
}

/** Said wherever a run ends with no checks configured (terminal, report, PR, check). */
export const NO_CHECKS =
  "No checks are configured, so nothing checked the result: set `validation.ci` or `validation.commands` in .github/swarm.yml (for example `npm test`) and run again.";

/** Why finished checks verified nothing, in one line. */
export function notVerifiedReason(
  checks: readonly Pick<CheckResult, "name" | "conclusion" | "title">[],
): string {
  const real = checks.filter((c) => c.title !== NOT_VERIFIED_TITLE);
  if (real.length === 0) return NO_CHECKS;
  return `None of the checks verified anything: ${real.map((c) => `\`${c.name}\` (${c.conclusion})`).join(", ")} ended without a pass, so nothing was verified.`;
}

/** The title of the neutral check that stands for "nothing was run". */
export const NOT_VERIFIED_TITLE = "Not verified: no checks configured";
