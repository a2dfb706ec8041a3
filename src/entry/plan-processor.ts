import { join } from "node:path";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { createGitHubForge } from "../forge/github/create-github-forge.js";
import { createOctokit } from "../forge/github/create-octokit.js";
import {
  createWriteLimiter,
  GITHUB_WRITE_LIMITS,
  type Window,
  type WriteLimiter,
} from "../forge/github/write-limiter.js";
import type { ModelClient } from "../model/model-client.js";
import type { PlanJob } from "../pipeline/jobs.js";
import { type PlanDeps, type PlanOutcome, planSpec } from "../pipeline/plan/plan-spec.js";

export type PlanProcessorOptions = {
  github: {
    appId: number;
    privateKey: string;
    baseUrl?: string;
    retryAfterBaseValue?: number;
    writeLimits?: readonly Window[];
  };
  /** Each run's traces go to <runsDir>/<runId>. */
  runsDir: string;
  model: (config: RepoConfig, runId: string, runDir: string) => Promise<ModelClient>;
  dashboardWaitMs?: number;
  scheduleNodes?: PlanDeps["scheduleNodes"];
};

/** Wires a plan job to the plan stage: a forge for the job's installation (token made here) and a model. */
export function createPlanProcessor(options: PlanProcessorOptions): (job: PlanJob) => Promise<PlanOutcome> {
  // One write limiter per installation for the whole process: GitHub limits the installation, not a job.
  const limiters = new Map<number, WriteLimiter>();
  return (job) => {
    let writeLimiter = limiters.get(job.installationId);
    if (!writeLimiter) {
      writeLimiter = createWriteLimiter(options.github.writeLimits ?? GITHUB_WRITE_LIMITS);
      limiters.set(job.installationId, writeLimiter);
    }
    const { appId, privateKey, baseUrl, retryAfterBaseValue } = options.github;
    const octokit = createOctokit({
      writeLimiter,
      auth: { appId, privateKey, installationId: job.installationId },
      ...(baseUrl ? { baseUrl } : {}),
      ...(retryAfterBaseValue ? { retryAfterBaseValue } : {}),
    });
    return planSpec(job, {
      forge: createGitHubForge(octokit, job.repo.owner, job.repo.name),
      model: (config, runId) => options.model(config, runId, join(options.runsDir, runId)),
      ...(options.dashboardWaitMs === undefined ? {} : { dashboardWaitMs: options.dashboardWaitMs }),
      ...(options.scheduleNodes ? { scheduleNodes: options.scheduleNodes } : {}),
    });
  };
}
