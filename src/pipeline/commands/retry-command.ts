import { findIntegrationBranch, nodeBranchesOf } from "../../domain/branch/branch-names.js";
import { dependents } from "../../domain/dag/dependents.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, LoadedRun } from "../forge.js";
import type { CommandJob } from "../jobs.js";
import { markNodesPending } from "../mark-nodes-pending.js";
import { CONFIG_PATH } from "../read-repo-config.js";
import type { Rerun } from "../review/send-revisions.js";
import { runOfCommand } from "./run-of-command.js";

const RETRYABLE = new Set(["failed", "blocked", "cancelled"]);

/**
 * `/swarm retry [node]`: the failed, blocked and cancelled nodes (or the one named, with its dependents that
 * are not done) are coded again from the start. A done node is changed with `/swarm revise` instead.
 */
export type Reintegrate = (run: {
  runId: string;
  spec: { number: number; title: string };
  /** Node id → its branch. */
  branches: Record<string, string>;
}) => Promise<void>;

/** What `/swarm retry` uses to recover a run beyond rerunning its nodes (each optional: absent, not done). */
export type RetryHelpers = {
  /** Takes up a run the scheduler lost (Redis lost): what it found and resumed for a live run, or null. */
  reconcile?: (run: LoadedRun) => Promise<string | null>;
  /** Queues the plan job of a run that has no plan yet (its planning was cut off). */
  planAgain?: (spec: number) => Promise<void>;
  /** Queues a review of the PR's head (after the reviewer could not finish). */
  reviewAgain?: (pull: { number: number; headSha: string; headBranch: string }) => Promise<void>;
};

export async function retryCommand(
  job: CommandJob,
  forge: Forge,
  rerun: Rerun,
  reintegrate: Reintegrate,
  more: RetryHelpers = {},
): Promise<string> {
  const found = await runOfCommand(forge, job.issue);
  if (!found) return "swarm has no run here to retry. Add the `swarm` label to the issue to start one.";
  const { spec, run } = found;
  // A retry goes again with the repository's config as it is now (fixed since, say), as a replan does.
  await forge.readFile(await forge.defaultBranch(), CONFIG_PATH, { run: spec, fresh: true });
  // Planning was cut off before there was a plan: plan it (the plan job goes on with the same run).
  if (run.plan.nodes.length === 0) {
    if (!more.planAgain) return "This run has no plan yet; add the `swarm` label again to plan it.";
    await refreshDashboard(forge, spec, {
      status: "planning",
      headline: `Planning again at @${job.sender.login}'s request…`,
    });
    await more.planAgain(spec);
    return "This run had no plan yet, so it is being planned again (a planner still at work finishes first, and the run is planned once).";
  }
  const resumed = await more.reconcile?.(run);
  if (resumed) return resumed;
  const named = job.command.verb === "retry" ? job.command.args.split(/\s+/)[0]?.replace(/^`|`$/g, "") : "";
  let targets: string[];
  if (named) {
    const state = run.states[named];
    if (!state)
      return `This run has no node \`${named}\`; its nodes are ${run.plan.nodes.map((n) => `\`${n.id}\``).join(", ")}.`;
    if (!RETRYABLE.has(state))
      return `Node \`${named}\` is ${state}, so there is nothing to retry${state === "done" ? "; to change its work, use `/swarm revise <what to change>`" : ""}.`;
    targets = [named, ...dependents(run.plan, named).filter((id) => run.states[id] !== "done")];
  } else {
    targets = run.plan.nodes.filter((n) => RETRYABLE.has(run.states[n.id] ?? "")).map((n) => n.id);
  }
  // Every node done but no open PR (closed by hand, or the worker died before the merge): merge again.
  const allDone = run.plan.nodes.every((n) => run.states[n.id] === "done");
  // The reviewer could not finish on the PR's head (the API kept failing), or nothing verified it (checks
  // were added since): review it again.
  const pr = run.pullRequest;
  if (
    !named &&
    allDone &&
    pr &&
    (run.meta.status === "failed" || run.meta.status === "unverified") &&
    run.meta.reviewedSha !== pr.headSha &&
    more.reviewAgain
  ) {
    await refreshDashboard(forge, spec, {
      status: "reviewing",
      headline: `Reviewing \`${pr.headSha.slice(0, 7)}\` again at @${job.sender.login}'s request.`,
    });
    await more.reviewAgain({
      number: pr.number,
      headSha: pr.headSha,
      headBranch: findIntegrationBranch(Object.keys(run.branches)),
    });
    return `Reviewing the pull request's head (\`${pr.headSha.slice(0, 7)}\`) again.`;
  }
  if (!named && allDone && !run.pullRequest) {
    await reintegrate({
      runId: run.meta.runId as string,
      spec: { number: spec, title: (await forge.readIssue(spec)).title },
      branches: nodeBranchesOf(
        run.plan.nodes.map((n) => n.id),
        Object.keys(run.branches),
      ),
    });
    return "Every node is done, so their branches are being merged again and the pull request opened.";
  }
  if (targets.length === 0)
    return "Nothing to retry: no node is failed, blocked or cancelled. To change finished work, use `/swarm revise <what to change>`.";

  await markNodesPending(forge, spec, run, Object.fromEntries(targets.map((id) => [id, null])));
  const list = targets.map((id) => `\`${id}\``).join(", ");
  await refreshDashboard(forge, spec, {
    status: "coding",
    headline: `Retrying ${list} at @${job.sender.login}'s request.`,
  });
  // Only now do the nodes start: one that finishes fast must not have its "done" overwritten by the above.
  await rerun(
    run.meta.runId as string,
    `retry-${job.commentId}`,
    Object.fromEntries(targets.map((id) => [id, null])),
  );
  return `Retrying ${list}.`;
}
