import { criticalPath } from "../domain/dag/critical-path.js";
import type { PlanJob } from "../pipeline/jobs.js";
import type { ScheduledRun } from "../pipeline/plan/plan-spec.js";
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
