import { findIntegrationBranch, nodeBranchesOf } from "../domain/branch/branch-names.js";
import { criticalPath } from "../domain/dag/critical-path.js";
import { parseSpec } from "../domain/spec/parse-spec.js";
import { refreshDashboard } from "../pipeline/dashboard/refresh-dashboard.js";
import type { Forge, LoadedRun } from "../pipeline/forge.js";
import { type JobQueue, jobId } from "../pipeline/jobs.js";
import { specForNodes } from "../pipeline/plan/plan-spec.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import type { RunStart, Scheduler } from "../pipeline/scheduler.js";
import type { NodeRunContext } from "./node-runner.js";
import { integrateJobOf } from "./start-run.js";

export type Repo = { owner: string; name: string };

/** What the scheduler needs to take up a run, rebuilt from the forge alone. */
export async function runStartOf(
  forge: Forge,
  run: LoadedRun,
  installationId: number,
  repo: Repo,
): Promise<RunStart> {
  const defaultBranch = await forge.defaultBranch();
  const config = await readRepoConfig(forge, defaultBranch);
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
  };
  return {
    runId: run.meta.runId as string,
    plan: run.plan,
    maxParallel: config.limits.maxParallelNodes,
    priorities: criticalPath(run.plan).tail,
    context,
  };
}

const LIVE = new Set(["coding", "integrating", "reviewing", "revising"]);

/**
 * Brings the scheduler in line with GitHub for a live run it does not hold (Redis was lost, or wiped):
 * the run is taken up at the states its sub-issues show (finished nodes stay finished, the rest are
 * queued), and a stage whose job was lost with Redis is queued again: the merge when every node is done,
 * the review of the PR's head when it waited for one. Returns what it found and did, or null when the
 * scheduler held the run already (or it is not live), so nothing changed.
 */
export async function reconcileRun(
  deps: { forge: Forge; scheduler: Scheduler; queue: JobQueue; installationId: number; repo: Repo },
  run: LoadedRun,
): Promise<string | null> {
  const { forge, scheduler, queue, repo } = deps;
  const runId = run.meta.runId;
  if (!runId || run.meta.dryRun || !LIVE.has(run.meta.status) || run.plan.nodes.length === 0) return null;
  const start = await runStartOf(forge, run, deps.installationId, repo);
  if (!(await scheduler.adopt(start, run.states))) return null;

  const total = run.plan.nodes.length;
  const done = run.plan.nodes.filter((n) => run.states[n.id] === "done").length;
  const found = `swarm's queue had lost this run, so it was rebuilt from GitHub: ${done} of ${total} nodes done`;
  const states = await scheduler.states(runId);
  const queued = run.plan.nodes
    .filter((n) => ["ready", "running"].includes(states[n.id] ?? ""))
    .map((n) => n.id);
  if (done < total)
    return `${found}; ${queued.length > 0 ? `queued ${queued.map((id) => `\`${id}\``).join(", ")}` : "the others wait for their dependencies"}.`;

  const pr = run.pullRequest;
  if (run.meta.status === "reviewing" && pr) {
    await queue.add({
      queue: "review",
      id: jobId("review", repo.owner, repo.name, pr.headSha, "reconciled"),
      data: {
        installationId: deps.installationId,
        repo,
        headSha: pr.headSha,
        headBranch: findIntegrationBranch(Object.keys(run.branches)) || null,
        pullNumbers: [pr.number],
      },
    });
    return `${found}; the pull request's head is reviewed once its checks finish.`;
  }
  if (run.meta.status === "revising" && pr && run.meta.reviewedSha === pr.headSha) {
    // The review sent revisions that were lost before any node took them up: review that head again.
    await refreshDashboard(forge, run.spec, {
      status: "reviewing",
      meta: {
        reviewedSha: undefined,
        round: Math.max(0, (run.meta.round ?? 1) - 1),
        tried: (run.meta.tried ?? []).slice(0, -1),
      },
    });
    await queue.add({
      queue: "review",
      id: jobId("review", repo.owner, repo.name, pr.headSha, "reconciled", run.meta.round ?? 0),
      data: {
        installationId: deps.installationId,
        repo,
        headSha: pr.headSha,
        headBranch: findIntegrationBranch(Object.keys(run.branches)) || null,
        pullNumbers: [pr.number],
      },
    });
    return `${found}; the revisions the last review asked for were lost, so that review is made again.`;
  }
  await queue.add({
    queue: "integrate",
    id: jobId("integrate", repo.owner, repo.name, runId, "reconciled"),
    data: integrateJobOf(runId, start.context as NodeRunContext),
  });
  return `${found}; their branches are merged into the pull request again.`;
}
