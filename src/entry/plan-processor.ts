import { join } from "node:path";
import type { RepoConfig } from "../domain/config/repo-config.js";
import type { ModelClient } from "../model/model-client.js";
import type { Forge } from "../pipeline/forge.js";
import type { PlanJob } from "../pipeline/jobs.js";
import { type PlanDeps, type PlanOutcome, planSpec, type ScheduledRun } from "../pipeline/plan/plan-spec.js";

export type PlanProcessorOptions = {
  forgeFor: (installationId: number, owner: string, repo: string) => Forge;
  /** Each run's traces go to <runsDir>/<runId>. */
  runsDir: string;
  model: (config: RepoConfig, runId: string, runDir: string) => Promise<ModelClient>;
  dashboardWaitMs?: number;
  /** Starts coding a planned run; the job tells which installation and repository it belongs to. */
  scheduleNodes?: (run: ScheduledRun, job: PlanJob) => Promise<void>;
  /** The planner's checkout to explore (with its code map), for the job's repository. */
  checkout?: (job: PlanJob) => NonNullable<PlanDeps["checkout"]>;
  /** Takes up a live run the scheduler lost, for the job's repository. */
  reconcileFor?: (job: PlanJob) => NonNullable<PlanDeps["reconcile"]>;
  /** The job's repository's finished runs, which calibrate the plan's estimate. */
  calibrationFor?: (job: PlanJob) => NonNullable<PlanDeps["calibration"]>;
};

/** Wires a plan job to the plan stage: the installation's forge and a model that traces into the run's folder. */
export function createPlanProcessor(options: PlanProcessorOptions): (job: PlanJob) => Promise<PlanOutcome> {
  return (job) =>
    planSpec(job, {
      forge: options.forgeFor(job.installationId, job.repo.owner, job.repo.name),
      model: (config, runId) => options.model(config, runId, join(options.runsDir, runId)),
      ...(options.dashboardWaitMs === undefined ? {} : { dashboardWaitMs: options.dashboardWaitMs }),
      ...(options.checkout ? { checkout: options.checkout(job) } : {}),
      ...(options.reconcileFor ? { reconcile: options.reconcileFor(job) } : {}),
      ...(options.calibrationFor ? { calibration: options.calibrationFor(job) } : {}),
      ...(options.scheduleNodes
        ? {
            scheduleNodes: (run: ScheduledRun) =>
              (options.scheduleNodes as NonNullable<PlanProcessorOptions["scheduleNodes"]>)(run, job),
          }
        : {}),
    });
}
