import type { Ledger } from "../../domain/budget/budget.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { CheckResult, Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";

export const FAILED = new Set(["failure", "timed_out", "cancelled", "action_required", "startup_failure"]);

/** By default a person can fix it by hand, steer with /swarm revise, or raise the limit. */
const FIX =
  "push a fix to this branch yourself, comment `/swarm revise <what to change>`, or raise the limit in `.github/swarm.yml` and comment `/swarm retry`.";

/**
 * Ends a run that cannot reach green: one comment on the PR with what still fails and what was tried,
 * swarm's check failed on the head, and the dashboard failed. Never a green check or a "done".
 */
export function stopRevising(
  forge: Forge,
  run: LoadedRun,
  headSha: string,
  failed: readonly CheckResult[],
  tried: readonly string[],
  why: string,
  ledger: Ledger | null,
  fix = FIX,
): Promise<{ kind: "stopped"; reason: string }> {
  return stopRun(forge, run, headSha, {
    what: "the checks still fail",
    heading: "What still fails:",
    items: failed.flatMap((c) => [
      `- **${c.name}**: ${c.conclusion}${c.title ? ` — ${c.title}` : ""}`,
      ...c.annotations.slice(0, 10).map((a) => `  - \`${a.path}:${a.startLine}\` ${a.message}`),
    ]),
    title: "Checks still fail; swarm stopped",
    tried,
    why,
    ledger,
    fix,
  });
}

/**
 * The one way a review stops a run: a comment that says what stands (failing checks, the spec's gaps) and
 * what each round tried, swarm's check failed, the dashboard failed, the head recorded as reviewed.
 */
export async function stopRun(
  forge: Forge,
  run: LoadedRun,
  headSha: string,
  input: {
    /** What stands in the way, as a clause: "the checks still fail". */
    what: string;
    heading: string;
    /** Markdown list lines under the heading. */
    items: readonly string[];
    title: string;
    tried: readonly string[];
    why: string;
    ledger: Ledger | null;
    fix?: string;
  },
): Promise<{ kind: "stopped"; reason: string }> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  await forge.ensureComment(
    pr.number,
    `stopped-${run.meta.runId}`,
    [
      `**swarm stopped: ${input.what} on \`${headSha.slice(0, 7)}\`, and ${input.why}.**`,
      "",
      input.heading,
      ...input.items,
      "",
      "What was tried:",
      ...(input.tried.length > 0 ? input.tried.map((t) => `- ${t}`) : ["- (no revision round)"]),
      "",
      `**Fix:** ${input.fix ?? FIX}`,
    ].join("\n"),
  );
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: input.title,
    summary: `swarm stopped because ${input.why}.\n\n${input.items.join("\n")}`,
  });
  await refreshDashboard(forge, run.spec, {
    status: "failed",
    headline: `Stopped: ${input.what} and ${input.why}. The pull request's comment lists what stands and what was tried.`,
    ledger: input.ledger,
    meta: { reviewedSha: headSha },
  });
  return { kind: "stopped", reason: input.why };
}
