import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import { type Ledger, spentBudget } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";

import type { Review } from "../../domain/review/review.js";
import type { ModelClient } from "../../model/model-client.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { CheckResult, Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";
import { checkAgainstSpec } from "./check-spec.js";
import { checkVerdict, notVerifiedReason } from "./check-verdict.js";
import { checkWeakenedTests, type WeakenedTestsDeps } from "./check-weakened-tests.js";
import { couldNotReview } from "./could-not-review.js";
import { filesOfDiff } from "./failing-outside-change.js";
import { failureIdentities } from "./failure-identities.js";
import { runReviewer } from "./run-reviewer.js";
import { type Rerun, sendRevisions } from "./send-revisions.js";
import { stopRevising } from "./stop-revising.js";
import { type TriageOutcome, triageFailures } from "./triage-failures.js";

export type ReviewDeps = {
  forge: Forge;
  config: RepoConfig;
  model: (config: RepoConfig, runId: string) => Promise<ModelClient>;
  /** The PR's diff: `head` (a branch) against where it left `base`. */
  diff: WeakenedTestsDeps["diff"];
  testFacts?: WeakenedTestsDeps["testFacts"];
  rerun: Rerun;
  ledger: (runId: string) => Promise<Ledger | null>;
  /** Takes up the run in the scheduler if it was lost there, so revisions have a run to go to. */
  reconcile?: (run: LoadedRun) => Promise<unknown>;
  /** Told when a review ends the run (green, unverified or stopped), so its actuals can calibrate estimates. */
  finished?: (run: LoadedRun, status: "green" | "unverified" | "failed") => Promise<void>;
};

/** The outcomes that end a run, and the status each leaves it in. */
const ENDS: Partial<Record<ReviewOutcome["kind"], "green" | "unverified" | "failed">> = {
  green: "green",
  unverified: "unverified",
  "pre-existing": "unverified",
  stopped: "failed",
};

export type ReviewOutcome =
  | { kind: "ignored"; reason: string }
  | { kind: "waiting"; pending: string[] }
  | { kind: "green" }
  | { kind: "unverified" }
  | { kind: "revising"; round: number; nodes: string[] }
  | { kind: "stopped"; reason: string }
  | TriageOutcome;

/**
 * When the repository's checks finish on the PR's head: green ends the run (PR ready, reviewers asked);
 * failures go to the reviewer, whose findings send only the nodes at fault back for revision, until the
 * revision limit or the budget stops the loop with a comment that says what still fails.
 */
export async function reviewChecks(
  input: { spec: number; headSha: string },
  deps: ReviewDeps,
): Promise<ReviewOutcome> {
  const remembered = await deps.forge.loadRun(input.spec);
  // Checks on a head the run does not know yet (or with no PR known): the push or the PR may not have been
  // recorded when they finished, so GitHub is asked.
  const run =
    remembered && remembered.pullRequest?.headSha !== input.headSha
      ? await deps.forge.loadRun(input.spec, { recheck: true })
      : remembered;
  const pr = run?.pullRequest;
  if (!run?.meta.runId || !pr) return { kind: "ignored", reason: "no run with a pull request" };
  if (pr.headSha !== input.headSha) return { kind: "ignored", reason: "checks of an older head commit" };
  if (!["integrating", "reviewing", "revising"].includes(run.meta.status))
    return { kind: "ignored", reason: `the run is ${run.meta.status}` };
  if (run.meta.reviewedSha === input.headSha) return { kind: "ignored", reason: "this commit was reviewed" };
  await deps.reconcile?.(run);
  const outcome = await reviewHead(run, { ...input, runId: run.meta.runId, pullNumber: pr.number }, deps);
  const ended = ENDS[outcome.kind];
  // Best effort: what calibrates the next estimate never fails the review that ended this run.
  if (ended) await deps.finished?.(run, ended).catch(() => undefined);
  return outcome;
}

async function reviewHead(
  run: LoadedRun,
  input: { spec: number; headSha: string; runId: string; pullNumber: number },
  deps: ReviewDeps,
): Promise<ReviewOutcome> {
  const { forge, config } = deps;
  const { runId } = input;

  const checks = (await forge.listCheckResults(input.headSha)).filter((c) => c.name !== SWARM_CHECK);
  const pending = checks.filter((c) => c.status !== "completed").map((c) => c.name);
  if (checks.length === 0 || pending.length > 0) return { kind: "waiting", pending };
  const ledger = await deps.ledger(runId);
  // The PR's diff, read once: the triage asks which files it changes, the reviewer reads it.
  let diffOnce: Promise<string> | undefined;
  const prDiff = async () => {
    const head = findIntegrationBranch(Object.keys(run.branches));
    diffOnce ??= deps.diff(config.baseBranch ?? (await forge.defaultBranch()), head);
    return diffOnce;
  };
  // Flaky or pre-existing failures are re-run or reported here, not revised.
  const triaged = await triageFailures({
    forge,
    config,
    run,
    headSha: input.headSha,
    checks,
    ledger,
    changedFiles: async () => filesOfDiff(await prDiff()),
  });
  if (triaged.kind === "settled") return triaged.outcome;
  const { failed, note } = triaged;
  // The spec, read once: the weakened-tests check, the reviewer and the check against the spec all use it.
  let specOnce: Promise<Spec> | undefined;
  const spec = () => {
    specOnce ??= specOf(forge, input.spec);
    return specOnce;
  };
  const weakened = await checkWeakenedTests({ run, headSha: input.headSha, failed, ledger, spec }, deps);
  if (weakened.outcome) return weakened.outcome;

  if (failed.length === 0) {
    if (checkVerdict(checks) !== "green") return unverified(forge, run, input.headSha, checks, ledger);
    const checked = await checkAgainstSpec({ run, headSha: input.headSha, ledger, diff: prDiff, spec }, deps);
    if (!checked.passed) return checked.outcome;
    const said = [note, checked.said].filter(Boolean).join("; ");
    return green(forge, config, run, input.headSha, checks, ledger, said || null);
  }

  const round = (run.meta.round ?? 0) + 1;
  const tried = run.meta.tried ?? [];
  const stop = (why: string, fix?: string) =>
    stopRevising(forge, run, input.headSha, failed, tried, why, ledger, fix);
  const overBudget = spentBudget(ledger, config.limits);
  // A failure the last round was sent to fix is back unchanged: more rounds would repeat it, so stop now.
  const identities = failureIdentities(failed);
  const back = identities.filter((f) => run.meta.targeted?.includes(f.id));
  if (back.length > 0 && !overBudget && round <= config.limits.maxRevisionRounds)
    return stop(
      `${back.length === 1 ? "a failure" : `${back.length} failures`} that round ${round - 1} was sent to fix came back unchanged (${back
        .slice(0, 3)
        .map((f) => f.text)
        .join("; ")}), so another round would most likely repeat it`,
      "this needs a person: push a fix to this branch yourself, or comment `/swarm revise <what to change>` with what the last round missed (it starts a new round with your words).",
    );
  if (round > config.limits.maxRevisionRounds || overBudget) {
    const why = overBudget
      ? `the run has spent its budget (${ledger?.usd.toFixed(2)} of ${config.limits.maxUsdPerRun} USD)`
      : `it reached the revision limit (${config.limits.maxRevisionRounds} round${config.limits.maxRevisionRounds === 1 ? "" : "s"}, \`limits.maxRevisionRounds\`)`;
    return stop(why);
  }

  let review: Review;
  let diff: string;
  try {
    diff = await prDiff();
    review = await runReviewer(await deps.model(config, runId), config, {
      spec: await spec(),
      plan: run.plan,
      diff,
      failures: describeChecks(failed),
      checks: failed,
      head: { sha: input.headSha, forge },
      round,
    });
    review = { ...review, findings: [...review.findings, ...weakened.findings] };
  } catch (error) {
    return couldNotReview(forge, run, input.headSha, error, ledger);
  }
  const sent = await sendRevisions(
    forge,
    {
      runId,
      spec: input.spec,
      plan: run.plan,
      pullNumber: input.pullNumber,
      headSha: input.headSha,
      diff,
      review,
      key: `review-${input.headSha}`,
      heading: `Checks failed: ${failed.map((c) => c.name).join(", ")} (revision round ${round} of ${config.limits.maxRevisionRounds})${note ? `; ${note}` : ""}`,
      round,
      tried,
      targeted: identities.map((f) => f.id),
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

type Spec = { title: string; body: string };

async function specOf(forge: Forge, number: number): Promise<Spec> {
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
  /** What was done on the way (a flaky check re-run, the check against the spec), said in the summary and headline. */
  note: string | null = null,
): Promise<ReviewOutcome> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const after = note ? `, ${note}` : "";
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "success",
    title: "All checks pass",
    summary: `${checks.map((c) => `${c.name}: ${c.conclusion}`).join("\n")}\n\nEvery node is done and the repository's checks pass${run.meta.round ? ` after ${run.meta.round} revision round${run.meta.round === 1 ? "" : "s"}` : ""}${after}.`,
  });
  if (pr.draft) await forge.markReadyForReview(pr);
  await forge.requestReviewers(pr.number, config.pullRequest.reviewers);
  await refreshDashboard(forge, run.spec, {
    status: "green",
    headline: `All checks pass on \`${headSha.slice(0, 7)}\`${run.meta.round ? ` after ${run.meta.round} revision round${run.meta.round === 1 ? "" : "s"}` : ""}${after}: the pull request is ready for review.`,
    ledger,
    meta: { reviewedSha: headSha, standing: [] },
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
