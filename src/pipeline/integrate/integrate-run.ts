import type { Ledger } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import { topologicalOrder } from "../../domain/dag/topological-order.js";
import { describeFailure } from "../../domain/describe-failure.js";
import { spendByRole } from "../../domain/estimate/actuals-of-run.js";
import type { Plan } from "../../domain/plan/plan.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, PullRequestRef } from "../forge.js";
import { checkVerdict, notVerifiedReason } from "../review/check-verdict.js";
import { closeAddressedThreads } from "../review/review-threads.js";
import { FAILED, stopRevising, stopRun } from "../review/stop-revising.js";
import { SWARM_CHECK } from "../swarm-check.js";
import { renderPullRequestBody } from "./render-pull-request-body.js";

export type IntegrateInput = {
  runId: string;
  spec: { number: number; title: string };
  base: string;
  /** Node id → its branch. */
  branches: Readonly<Record<string, string>>;
  integrationBranch: string;
};

export type MergeResult = {
  headSha: string;
  pushed: boolean;
  conflicts: { nodeId: string; files: string[] }[];
};

export type IntegrateDeps = {
  forge: Forge;
  config: RepoConfig;
  ledger: Ledger | null;
  /**
   * Merges the node branches, dependencies first, into the integration branch and pushes it, calling
   * `beforePush` with the new head first (only when there is something to push). `plan` is the run's, for
   * the integrator agent should a merge conflict.
   */
  merge: (
    nodes: { id: string; branch: string; title: string }[],
    options: { beforePush: (headSha: string) => Promise<void>; plan: Plan },
  ) => Promise<MergeResult>;
  /**
   * Runs `work` while no review of `headSha` runs (the review stage's lock on that head), so a check of
   * whether the head was reviewed and the write that follows it cannot interleave with one. Unset: as is.
   */
  exclusiveOfReview?: <T>(headSha: string, work: () => Promise<T>) => Promise<T>;
};

export type IntegrateOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "failed"; reason: string }
  | { kind: "opened"; pullRequest: PullRequestRef; headSha: string; pushed: boolean };

/**
 * Once every node is done: the node branches are merged into the integration branch, the PR is opened or
 * updated, and swarm's own check on the head says it waits for the repository's checks, which decide.
 */
export async function integrateRun(input: IntegrateInput, deps: IntegrateDeps): Promise<IntegrateOutcome> {
  try {
    return await integrate(input, deps);
  } finally {
    // Its "integrating" was deferred to the write that follows the merge: a job that ended without one
    // writes it now. Best effort: the outcome stands either way.
    await deps.forge.settleDashboard(input.spec.number).catch(() => undefined);
  }
}

async function integrate(input: IntegrateInput, deps: IntegrateDeps): Promise<IntegrateOutcome> {
  const { forge } = deps;
  const run = await forge.loadRun(input.spec.number);
  if (!run || run.meta.runId !== input.runId) return { kind: "skipped", reason: "the run was replaced" };
  if (run.meta.status === "cancelled") return { kind: "skipped", reason: "the run was cancelled" };
  // A plan with no nodes has nothing to merge: an empty PR would say the spec was built when nothing was.
  if (run.plan.nodes.length === 0) return { kind: "skipped", reason: "the run has no nodes" };
  const notDone = run.plan.nodes.filter((n) => run.states[n.id] !== "done").map((n) => n.id);
  if (notDone.length > 0) return { kind: "skipped", reason: `nodes not done: ${notDone.join(", ")}` };

  // Said before the push: the checks it starts may finish before this job does, and their review must
  // find the run waiting for them.
  // Deferred: the merge takes seconds, and its outcome (waiting for checks, or failed) is written next.
  await refreshDashboard(forge, input.spec.number, {
    status: "integrating",
    headline: `All ${run.plan.nodes.length} nodes are done; merging their branches into the pull request.`,
    ledger: deps.ledger,
    deferred: true,
  });
  const round = run.meta.round ?? 0;
  const waiting = `All ${run.plan.nodes.length} nodes are done and merged into the pull request; waiting for the repository's checks${round > 0 ? ` (revision round ${round})` : ""}.`;
  // Said before the push: its checks may finish (and be reviewed) before this job goes on, so nothing
  // after the push may set the run's status or swarm's check on this head.
  const announce = async (headSha: string) => {
    await forge.notePush(input.spec.number, input.integrationBranch, headSha);
    await forge.upsertCheckRun({
      name: SWARM_CHECK,
      headSha,
      status: "in_progress",
      title: "Waiting for the repository's checks",
      summary: `All ${run.plan.nodes.length} nodes are merged${round > 0 ? ` (after ${round} revision round${round === 1 ? "" : "s"})` : ""}. swarm reviews this commit when the repository's checks finish, and revises the nodes at fault until they pass.`,
    });
    // Deferred: the stages read it at once, and GitHub's comment gets it with the PR's link a moment later.
    await refreshDashboard(forge, input.spec.number, {
      status: "reviewing",
      headline: waiting,
      ledger: deps.ledger,
      meta: { reviewedSha: undefined },
      deferred: true,
    });
  };
  let merged: MergeResult;
  try {
    merged = await deps.merge(
      topologicalOrder(run.plan).map((id) => ({
        id,
        branch: input.branches[id] ?? "",
        title: run.plan.nodes.find((n) => n.id === id)?.title ?? id,
      })),
      { beforePush: announce, plan: run.plan },
    );
  } catch (error) {
    const message = describeFailure(error, "swarm could not merge the node branches");
    await forge.ensureComment(input.spec.number, `integration-${input.runId}`, message);
    await refreshDashboard(forge, input.spec.number, {
      status: "failed",
      headline: "Every node is done, but their branches could not be merged; the comment below says why.",
      ledger: deps.ledger,
    });
    return { kind: "failed", reason: message };
  }

  // A revision that changed nothing leaves the head where it was, and no new checks will come, so waiting
  // would hang: the verdict on this head stands (failed: the run stops and says so; passed: still green).
  if (
    !merged.pushed &&
    run.meta.reviewedSha === merged.headSha &&
    run.pullRequest?.headSha === merged.headSha
  ) {
    const checks = (await forge.listCheckResults(merged.headSha)).filter((c) => c.name !== SWARM_CHECK);
    const failed = checks.filter((c) => c.conclusion !== null && FAILED.has(c.conclusion));
    if (failed.length > 0) {
      const stopped = await stopRevising(
        forge,
        run,
        merged.headSha,
        failed,
        run.meta.tried ?? [],
        "the last revision changed nothing in the pull request",
        deps.ledger,
      );
      return { kind: "failed", reason: stopped.reason };
    }
    // Sent back for the spec's gaps or weakened tests, and nothing changed: they stand, so it is not green.
    const standing = run.meta.standing ?? [];
    if (standing.length > 0) {
      const stopped = await stopRun(forge, run, merged.headSha, {
        what: "what the last round was sent to fix still stands",
        heading: "What stands:",
        items: standing.map((s) => `- ${s}`),
        title: "The revision changed nothing; swarm stopped",
        tried: run.meta.tried ?? [],
        why: "the last revision changed nothing in the pull request",
        ledger: deps.ledger,
        fix: "make the change on this branch yourself, or comment `/swarm revise <what to change>` with what the last round missed.",
      });
      return { kind: "failed", reason: stopped.reason };
    }
    const verified = checkVerdict(checks) === "green";
    await refreshDashboard(forge, input.spec.number, {
      status: verified ? "green" : "unverified",
      headline: verified
        ? "The revision changed nothing, so the pull request is as it was, and its checks pass."
        : `The revision changed nothing, so the pull request is as it was. Not verified: ${notVerifiedReason(checks)}`,
      ledger: deps.ledger,
    });
    return {
      kind: "skipped",
      reason: verified
        ? "the revision changed nothing, and the checks pass"
        : "the revision changed nothing, and nothing verified it",
    };
  }
  // Nothing to push (an integration again, or a PR to open again on the same head): announce it now,
  // unless the run moved on while this job merged. A job taken up after its worker died (it had pushed
  // this head) can find the head reviewed and revisions sent meanwhile: announcing would clear that
  // review's record and set swarm's check back to waiting, so the head would be reviewed again, and that
  // second review would put a revised node back to pending after it finished, leaving nothing to merge.
  if (!merged.pushed) {
    const movedOn = await (deps.exclusiveOfReview ?? ((_, work) => work()))(merged.headSha, async () => {
      const now = await forge.loadRun(input.spec.number);
      if (now?.meta.reviewedSha === merged.headSha) return "this head was reviewed while the job merged";
      const revising = now?.plan.nodes.filter((n) => now.states[n.id] !== "done").map((n) => n.id) ?? [];
      if (revising.length > 0) return `nodes sent back while the job merged: ${revising.join(", ")}`;
      await announce(merged.headSha);
      return null;
    });
    if (movedOn) return { kind: "skipped", reason: movedOn };
  }
  const pullRequest = await forge.ensurePullRequest({
    head: input.integrationBranch,
    base: input.base,
    title: input.spec.title,
    body: renderPullRequestBody({
      spec: input.spec.number,
      plan: run.plan,
      states: run.states,
      nodeIssues: run.nodeIssues,
      summaries: run.summaries,
      ledger: deps.ledger,
      conflicts: merged.conflicts,
      estimate: run.meta.estimate ?? null,
      ...(deps.ledger && run.meta.estimate
        ? {
            byRole: Object.fromEntries(
              Object.entries(spendByRole(deps.ledger, run.plan, deps.config.models, run.meta.estimate)).map(
                ([role, spend]) => [role, spend.tokens],
              ),
            ),
          }
        : {}),
    }),
    draft: deps.config.pullRequest.draft,
    headSha: merged.headSha,
  });
  // The review threads this head answers get their reply and are resolved (a failure here must not undo the
  // push: the threads stay recorded, and the PR says so).
  const threads = await closeAddressedThreads(forge, run, pullRequest.number, merged.headSha);
  if (threads.failed)
    await forge.ensureComment(
      pullRequest.number,
      `threads-${merged.headSha}`,
      `swarm pushed ${merged.headSha} but could not reply on and resolve the review threads it addresses (${threads.failed}); it tries again when it next pushes.`,
    );
  const handled = new Set(threads.handled);
  // The dashboard's link to the PR, unless a review has moved the run on meanwhile.
  await refreshDashboard(forge, input.spec.number, {
    headline: waiting,
    ledger: deps.ledger,
    ifStatus: ["reviewing"],
    ...(handled.size > 0
      ? { meta: (current) => ({ threads: (current.threads ?? []).filter((t) => !handled.has(t.comment)) }) }
      : {}),
  });
  return { kind: "opened", pullRequest, headSha: merged.headSha, pushed: merged.pushed };
}
