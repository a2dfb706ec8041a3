import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { Ledger } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";

import { describeFailure } from "../../domain/describe-failure.js";
import type { Review } from "../../domain/review/review.js";
import type { ModelClient } from "../../model/model-client.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { CheckResult, Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";
import { checkVerdict, notVerifiedReason } from "./check-verdict.js";
import { runReviewer } from "./run-reviewer.js";
import { type Rerun, sendRevisions } from "./send-revisions.js";
import { FAILED, stopRevising } from "./stop-revising.js";

export type ReviewDeps = {
  forge: Forge;
  config: RepoConfig;
  model: (config: RepoConfig, runId: string) => Promise<ModelClient>;
  /** The PR's diff: `head` (a branch) against where it left `base`. */
  diff: (base: string, head: string) => Promise<string>;
  rerun: Rerun;
  ledger: (runId: string) => Promise<Ledger | null>;
  /** Takes up the run in the scheduler if it was lost there, so revisions have a run to go to. */
  reconcile?: (run: LoadedRun) => Promise<unknown>;
};

export type ReviewOutcome =
  | { kind: "ignored"; reason: string }
  | { kind: "waiting"; pending: string[] }
  | { kind: "green" }
  | { kind: "unverified" }
  | { kind: "revising"; round: number; nodes: string[] }
  | { kind: "stopped"; reason: string };

/**
 * When the repository's checks finish on the PR's head: green ends the run (PR ready, reviewers asked);
 * failures go to the reviewer, whose findings send only the nodes at fault back for revision, until the
 * revision limit or the budget stops the loop with a comment that says what still fails.
 */
export async function reviewChecks(
  input: { spec: number; headSha: string },
  deps: ReviewDeps,
): Promise<ReviewOutcome> {
  const { forge, config } = deps;
  const run = await forge.loadRun(input.spec);
  const pr = run?.pullRequest;
  if (!run?.meta.runId || !pr) return { kind: "ignored", reason: "no run with a pull request" };
  if (pr.headSha !== input.headSha) return { kind: "ignored", reason: "checks of an older head commit" };
  if (!["integrating", "reviewing", "revising"].includes(run.meta.status))
    return { kind: "ignored", reason: `the run is ${run.meta.status}` };
  if (run.meta.reviewedSha === input.headSha) return { kind: "ignored", reason: "this commit was reviewed" };
  await deps.reconcile?.(run);

  const checks = (await forge.listCheckResults(input.headSha)).filter((c) => c.name !== SWARM_CHECK);
  const pending = checks.filter((c) => c.status !== "completed").map((c) => c.name);
  if (checks.length === 0 || pending.length > 0) return { kind: "waiting", pending };
  const failed = checks.filter((c) => c.conclusion !== null && FAILED.has(c.conclusion));
  const runId = run.meta.runId;
  const ledger = await deps.ledger(runId);

  if (failed.length === 0)
    return checkVerdict(checks) === "green"
      ? green(forge, config, run, input.headSha, checks, ledger)
      : unverified(forge, run, input.headSha, checks, ledger);

  const round = (run.meta.round ?? 0) + 1;
  const tried = run.meta.tried ?? [];
  const stop = (why: string) => stopRevising(forge, run, input.headSha, failed, tried, why, ledger);
  const overBudget =
    ledger && (ledger.usd >= config.limits.maxUsdPerRun || ledger.tokens >= config.limits.maxTokensPerRun);
  if (round > config.limits.maxRevisionRounds || overBudget) {
    const why = overBudget
      ? `the run has spent its budget (${ledger?.usd.toFixed(2)} of ${config.limits.maxUsdPerRun} USD)`
      : `it reached the revision limit (${config.limits.maxRevisionRounds} round${config.limits.maxRevisionRounds === 1 ? "" : "s"}, \`limits.maxRevisionRounds\`)`;
    return stop(why);
  }

  let review: Review;
  let diff: string;
  try {
    const head = findIntegrationBranch(Object.keys(run.branches));
    diff = await deps.diff(config.baseBranch ?? (await forge.defaultBranch()), head);
    review = await runReviewer(await deps.model(config, runId), config, {
      spec: await specOf(forge, input.spec),
      plan: run.plan,
      diff,
      failures: describeChecks(failed),
      checks: failed,
      head: { sha: input.headSha, forge },
      round,
    });
  } catch (error) {
    // Not a verdict on the code: the head stays unreviewed, so `/swarm retry` reviews it again.
    const why = (describeFailure(error, "the reviewer").split("\n")[0] ?? "").replace(/\*\*/g, "");
    await forge.ensureComment(
      pr.number,
      `reviewer-${runId}-${input.headSha}`,
      `**swarm could not review \`${input.headSha.slice(0, 7)}\`:** ${why}\n\n**Fix:** comment \`/swarm retry\` to review it again once the cause is gone.`,
    );
    await forge.upsertCheckRun({
      name: SWARM_CHECK,
      headSha: input.headSha,
      status: "completed",
      conclusion: "failure",
      title: "swarm could not review this commit",
      summary: `${why}\n\nNothing was verified on this commit by swarm's review. Comment \`/swarm retry\` to review it again.`,
    });
    await refreshDashboard(forge, input.spec, {
      status: "failed",
      headline: `The reviewer could not finish on \`${input.headSha.slice(0, 7)}\`; comment \`/swarm retry\` to review it again.`,
      ledger,
    });
    return { kind: "stopped", reason: `the reviewer could not finish: ${why}` };
  }
  const sent = await sendRevisions(
    forge,
    {
      runId,
      spec: input.spec,
      plan: run.plan,
      pullNumber: pr.number,
      headSha: input.headSha,
      diff,
      review,
      key: `review-${input.headSha}`,
      heading: `Checks failed: ${failed.map((c) => c.name).join(", ")} (revision round ${round} of ${config.limits.maxRevisionRounds})`,
      round,
      tried,
      ledger,
      run,
    },
    deps.rerun,
  );
  const nodes = Object.keys(sent.targets);
  if (nodes.length === 0) return stop("the reviewer found nothing that a node owns to change");
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha: input.headSha,
    status: "completed",
    conclusion: "failure",
    title: `Checks failed; revising ${nodes.join(", ")}`,
    summary: `${failed.map((c) => `${c.name}: ${c.conclusion}`).join("\n")}\n\nRound ${round}: swarm sent ${nodes.join(", ")} back with the reviewer's findings; a new commit follows.`,
  });
  return { kind: "revising", round, nodes };
}

async function specOf(forge: Forge, number: number) {
  const issue = await forge.readIssue(number);
  return { title: issue.title, body: issue.body ?? "" };
}

/** Failing checks as the reviewer reads them: annotations first, then the end of each job's log. */
export function describeChecks(failed: readonly CheckResult[]): string {
  return failed
    .map((c) =>
      [
        `## ${c.name}: ${c.conclusion}${c.title ? ` — ${c.title}` : ""}`,
        ...c.annotations.map((a) => `${a.path}:${a.startLine}: ${a.level}: ${a.message}`),
        c.logTail ? `\nEnd of the log:\n${c.logTail.split("\n").slice(-60).join("\n")}` : (c.summary ?? ""),
      ].join("\n"),
    )
    .join("\n\n");
}

async function green(
  forge: Forge,
  config: RepoConfig,
  run: LoadedRun,
  headSha: string,
  checks: readonly CheckResult[],
  ledger: Ledger | null,
): Promise<ReviewOutcome> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "success",
    title: "All checks pass",
    summary: `${checks.map((c) => `${c.name}: ${c.conclusion}`).join("\n")}\n\nEvery node is done and the repository's checks pass${run.meta.round ? ` after ${run.meta.round} revision round${run.meta.round === 1 ? "" : "s"}` : ""}.`,
  });
  if (pr.draft) await forge.markReadyForReview(pr.number);
  await forge.requestReviewers(pr.number, config.pullRequest.reviewers);
  await refreshDashboard(forge, run.spec, {
    status: "green",
    headline: `All checks pass on \`${headSha.slice(0, 7)}\`${run.meta.round ? ` after ${run.meta.round} revision round${run.meta.round === 1 ? "" : "s"}` : ""}: the pull request is ready for review.`,
    ledger,
    meta: { reviewedSha: headSha },
  });
  return { kind: "green" };
}

/**
 * Every check finished without one that verified anything: swarm's check is neutral, the PR stays a draft
 * with a comment that says why and how to fix it, and the run ends `unverified`, never green.
 */
async function unverified(
  forge: Forge,
  run: LoadedRun,
  headSha: string,
  checks: readonly CheckResult[],
  ledger: Ledger | null,
): Promise<ReviewOutcome> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const listed = checks.map((c) => `${c.name}: ${c.conclusion}`).join("\n");
  const why = notVerifiedReason(checks);
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "neutral",
    title: `Not verified on ${headSha.slice(0, 7)}`,
    summary: `${listed}\n\n${why}`,
  });
  await forge.ensureComment(
    pr.number,
    `unverified-${headSha}`,
    `**Not verified:** ${why} The pull request stays a draft; once a check that verifies something runs on it, comment \`/swarm retry\` to review it again.`,
  );
  await refreshDashboard(forge, run.spec, {
    status: "unverified",
    headline: `Not verified on \`${headSha.slice(0, 7)}\`: ${why}`,
    ledger,
    // Not recorded as reviewed: once checks that verify something exist, `/swarm retry` reviews it again.
  });
  return { kind: "unverified" };
}
