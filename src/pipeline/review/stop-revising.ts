import type { Ledger } from "../../domain/budget/budget.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { CheckResult, Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";

export const FAILED = new Set(["failure", "timed_out", "cancelled", "action_required", "startup_failure"]);

/**
 * Ends a run that cannot reach green: one comment on the PR with what still fails and what was tried,
 * swarm's check failed on the head, and the dashboard failed. Never a green check or a "done".
 */
export async function stopRevising(
  forge: Forge,
  run: LoadedRun,
  headSha: string,
  failed: readonly CheckResult[],
  tried: readonly string[],
  why: string,
  ledger: Ledger | null,
  /** What a person could do; by default, fix it by hand, steer with /swarm revise, or raise the limit. */
  fix = "push a fix to this branch yourself, comment `/swarm revise <what to change>`, or raise the limit in `.github/swarm.yml` and comment `/swarm retry`.",
): Promise<{ kind: "stopped"; reason: string }> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const still = failed.flatMap((c) => [
    `- **${c.name}**: ${c.conclusion}${c.title ? ` — ${c.title}` : ""}`,
    ...c.annotations.slice(0, 10).map((a) => `  - \`${a.path}:${a.startLine}\` ${a.message}`),
  ]);
  await forge.ensureComment(
    pr.number,
    `stopped-${run.meta.runId}`,
    [
      `**swarm stopped: the checks still fail on \`${headSha.slice(0, 7)}\`, and ${why}.**`,
      "",
      "What still fails:",
      ...still,
      "",
      "What was tried:",
      ...(tried.length > 0 ? tried.map((t) => `- ${t}`) : ["- (no revision round)"]),
      "",
      `**Fix:** ${fix}`,
    ].join("\n"),
  );
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: "Checks still fail; swarm stopped",
    summary: `swarm stopped because ${why}.\n\n${still.join("\n")}`,
  });
  await refreshDashboard(forge, run.spec, {
    status: "failed",
    headline: `Stopped: the checks still fail and ${why}. The pull request's comment lists what fails and what was tried.`,
    ledger,
    meta: { reviewedSha: headSha },
  });
  return { kind: "stopped", reason: why };
}
