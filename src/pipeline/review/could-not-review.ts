import type { Ledger } from "../../domain/budget/budget.js";
import { describeFailure } from "../../domain/describe-failure.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";

/**
 * The reviewer could not finish (the model failed, or gave no review within its limits). Not a verdict on
 * the code: the head stays unreviewed, so `/swarm retry` reviews it again; the PR, swarm's check and the
 * dashboard say so.
 */
export async function couldNotReview(
  forge: Forge,
  run: LoadedRun,
  headSha: string,
  error: unknown,
  ledger: Ledger | null,
): Promise<{ kind: "stopped"; reason: string }> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const why = (describeFailure(error, "the reviewer").split("\n")[0] ?? "").replace(/\*\*/g, "");
  await forge.ensureComment(
    pr.number,
    `reviewer-${run.meta.runId}-${headSha}`,
    `**swarm could not review \`${headSha.slice(0, 7)}\`:** ${why}\n\n**Fix:** comment \`/swarm retry\` to review it again once the cause is gone.`,
  );
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: "swarm could not review this commit",
    summary: `${why}\n\nNothing was verified on this commit by swarm's review. Comment \`/swarm retry\` to review it again.`,
  });
  await refreshDashboard(forge, run.spec, {
    status: "failed",
    headline: `The reviewer could not finish on \`${headSha.slice(0, 7)}\`; comment \`/swarm retry\` to review it again.`,
    ledger,
  });
  return { kind: "stopped", reason: `the reviewer could not finish: ${why}` };
}
