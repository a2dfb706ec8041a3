import { findIntegrationBranch, nodeBranchesOf } from "../domain/branch/branch-names.js";
import { criticalPath } from "../domain/dag/critical-path.js";
import { chooseCacheTtl } from "../domain/estimate/choose-cache-ttl.js";
import type { RunActuals } from "../domain/estimate/run-actuals.js";
import { parseSpec } from "../domain/spec/parse-spec.js";
import type { RunStatus } from "../domain/state/run-status.js";
import { recordSettled } from "../pipeline/code/record-settled.js";
import type { Forge, LoadedRun } from "../pipeline/forge.js";
import { type JobQueue, jobId } from "../pipeline/jobs.js";
import { specForNodes } from "../pipeline/plan/plan-spec.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import { type RunStart, type Scheduler, TERMINAL } from "../pipeline/scheduler.js";
import type { NodeRunContext } from "./node-runner.js";
import { integrateJobOf, reviewJobOf } from "./start-run.js";

export type Repo = { owner: string; name: string };

/** What the scheduler needs to take up a run, rebuilt from the forge alone. */
export async function runStartOf(
  forge: Forge,
  run: LoadedRun,
  installationId: number,
  repo: Repo,
  /** The repository's finished runs, for `cache.ttl: auto` (unset: five minutes). */
  earlierRuns?: () => Promise<readonly RunActuals[]>,
): Promise<RunStart> {
  const defaultBranch = await forge.defaultBranch();
  const config = await readRepoConfig(forge, defaultBranch, run.spec);
  const runs = earlierRuns ? await earlierRuns().catch(() => []) : [];
  const issue = await forge.readIssue(run.spec);
  const context: NodeRunContext = {
    installationId,
    repo,
    spec: { number: run.spec, title: issue.title, body: specForNodes(parseSpec(issue)) },
    planSummary: run.plan.summary,
    plan: run.plan,
    nodeIssues: run.nodeIssues,
    // As the sub-issues name them: a node that has not pushed yet has no branch on GitHub.
    branches: {
      ...nodeBranchesOf(
        run.plan.nodes.map((n) => n.id),
        Object.keys(run.branches),
      ),
      ...run.nodeBranches,
    },
    base: config.baseBranch ?? defaultBranch,
    // No run block: each node makes it from the base commit (the same for all); no cache is warmed.
    cacheTtl: chooseCacheTtl(config.cache.ttl, runs),
  };
  return {
    runId: run.meta.runId as string,
    plan: run.plan,
    maxParallel: config.limits.maxParallelNodes,
    priorities: criticalPath(run.plan).tail,
    context,
  };
}

/** A run under way: its nodes, merge or review may still have work queued. */
export const LIVE_STATUSES: readonly RunStatus[] = ["coding", "integrating", "reviewing", "revising"];

/**
 * Brings the scheduler in line with GitHub for a run it does not hold (Redis was lost, or wiped): the run
 * is taken up at the states its sub-issues show (finished nodes stay finished, a revision keeps its
 * feedback, the rest are queued), so a retry or a revision has a run to go to. For a live run, a stage whose
 * job was lost with Redis is queued again: the merge when every node is done, and the review of the PR's
 * head (each is idempotent). Returns what it found and did for a live run, or null when the scheduler held
 * the run already (nothing changed) or the run is not live.
 */
export async function reconcileRun(
  deps: { forge: Forge; scheduler: Scheduler; queue: JobQueue; installationId: number; repo: Repo },
  run: LoadedRun,
): Promise<string | null> {
  const { forge, scheduler, queue, repo } = deps;
  const runId = run.meta.runId;
  if (!runId || run.meta.dryRun || run.plan.nodes.length === 0) return null;
  // Its nodes wait for a person's approval: only that starts them.
  if (run.meta.status === "awaiting-approval") return null;
  if (await scheduler.knows(runId)) return null; // the common case: one Redis read, no GitHub call
  const start = await runStartOf(forge, run, deps.installationId, repo);
  if (!(await scheduler.adopt(start, run.states, run.revisions))) return null;
  if (!LIVE_STATUSES.includes(run.meta.status)) return null;

  const total = run.plan.nodes.length;
  const done = run.plan.nodes.filter((n) => run.states[n.id] === "done").length;
  const found = `swarm's queue had lost this run, so it was rebuilt from GitHub: ${done} of ${total} nodes done`;
  const states = await scheduler.states(runId);
  const queued = run.plan.nodes
    .filter((n) => ["ready", "running"].includes(states[n.id] ?? ""))
    .map((n) => `\`${n.id}\``);
  if (run.plan.nodes.every((n) => TERMINAL.includes(states[n.id] ?? "pending")) && done < total) {
    // Finished, not well: a worker died before it said so. The sub-issues and the dashboard say it now.
    await recordSettled(forge, { ...run, branches: run.nodeBranches }, () => scheduler.states(runId), null);
    return `${found}; the others failed or are blocked, so the run has stopped.`;
  }
  if (done < total)
    return `${found}; ${queued.length > 0 ? `queued ${queued.join(", ")}` : "the rest wait for their dependencies"}.`;

  await queue.add({
    queue: "integrate",
    id: jobId("integrate", repo.owner, repo.name, runId, "reconciled"),
    data: integrateJobOf(runId, start.context as NodeRunContext),
  });
  const pr = run.pullRequest;
  if (pr)
    await queue.add({
      queue: "review",
      id: jobId("review", repo.owner, repo.name, pr.headSha, "reconciled"),
      data: reviewJobOf(deps.installationId, repo, {
        number: pr.number,
        headSha: pr.headSha,
        headBranch: findIntegrationBranch(Object.keys(run.branches)),
      }),
    });
  return `${found}; their branches are merged into the pull request again${pr ? ", and its head is reviewed once its checks finish" : ""}.`;
}
