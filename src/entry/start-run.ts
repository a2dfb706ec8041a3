import { criticalPath } from "../domain/dag/critical-path.js";
import type { Reintegrate } from "../pipeline/commands/retry-command.js";
import type { Forge } from "../pipeline/forge.js";
import type { IntegrateJob, PlanJob, ReviewJob } from "../pipeline/jobs.js";
import type { ScheduledRun } from "../pipeline/plan/plan-spec.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import type { Scheduler } from "../pipeline/scheduler.js";
import type { NodeRunContext } from "./node-runner.js";

/** Hands a planned run to the scheduler, critical path first, with what its node jobs need. */
export function startRunWith(scheduler: Scheduler): (run: ScheduledRun, job: PlanJob) => Promise<void> {
  return (run, job) => {
    const context: NodeRunContext = {
      installationId: job.installationId,
      repo: job.repo,
      spec: run.spec,
      planSummary: run.plan.summary,
      plan: run.plan,
      nodeIssues: run.nodeIssues,
      branches: run.branches,
      base: run.base,
      ...(run.runBlock ? { runBlock: run.runBlock } : {}),
      cacheTtl: run.cacheTtl,
    };
    return scheduler.start({
      runId: run.runId,
      plan: run.plan,
      maxParallel: run.maxParallel,
      priorities: criticalPath(run.plan).tail,
      context,
    });
  };
}

/** The integrate job for a run whose nodes have all finished, from what the run was started with. */
export function integrateJobOf(runId: string, ctx: NodeRunContext): IntegrateJob {
  return {
    installationId: ctx.installationId,
    repo: ctx.repo,
    runId,
    spec: { number: ctx.spec.number, title: ctx.spec.title },
    base: ctx.base,
    branches: ctx.branches,
  };
}

/** A review of a run's PR head, queued by swarm itself (after a lost job, or `/swarm retry`). */
export function reviewJobOf(
  installationId: number,
  repo: ReviewJob["repo"],
  pull: { number: number; headSha: string; headBranch: string },
): ReviewJob {
  return {
    installationId,
    repo,
    headSha: pull.headSha,
    headBranch: pull.headBranch || null,
    pullNumbers: [pull.number],
  };
}

/** The integrate job `/swarm retry` asks for when every node is done: onto the repository's base branch. */
export async function reintegrateJobOf(
  forge: Forge,
  installationId: number,
  repo: IntegrateJob["repo"],
  run: Parameters<Reintegrate>[0],
): Promise<IntegrateJob> {
  const defaultBranch = await forge.defaultBranch();
  const config = await readRepoConfig(forge, defaultBranch, run.spec.number);
  return {
    installationId,
    repo,
    runId: run.runId,
    spec: run.spec,
    base: config.baseBranch ?? defaultBranch,
    branches: run.branches,
  };
}
