import { join } from "node:path";
import { INTEGRATION_LEAF, integrationBranch } from "../domain/branch/branch-names.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import {
  type IntegrateDeps,
  type IntegrateOutcome,
  integrateRun,
} from "../pipeline/integrate/integrate-run.js";
import { resolveConflict } from "../pipeline/integrate/resolve-conflict.js";
import type { IntegrateJob } from "../pipeline/jobs.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import { mergeNodeBranches } from "../workspace/integration-workspace.js";
import { openWorkingCopy } from "../workspace/local-working-copy.js";
import type { NodeRunnerOptions } from "./node-runner.js";

/** An integrate job, wired: the repository's config, the merge in a working copy, the integrator agent. */
export function createIntegrateProcessor(
  options: NodeRunnerOptions,
  /** Told of each PR head it opened or updated, with the config (the workers queue the CI fallback). */
  onOpened?: (
    job: IntegrateJob,
    outcome: Extract<IntegrateOutcome, { kind: "opened" }>,
    integration: string,
    config: RepoConfig,
  ) => Promise<void>,
  /** The review stage's lock on a head of the job's repository (the workers share it in Redis). */
  reviewLock?: (job: IntegrateJob) => IntegrateDeps["exclusiveOfReview"],
): (job: IntegrateJob) => Promise<IntegrateOutcome> {
  return async (job) => {
    const forge = options.forgeFor(job.installationId, job.repo.owner, job.repo.name);
    const config = await readRepoConfig(forge, job.base, job.spec.number);
    const remote = await forge.cloneUrl();
    const token = await options.tokenFor(job.installationId);
    const auth = token ? { token } : {};
    // Beside the node branches, whatever the spec's title has become since they were named.
    const nodeBranch = Object.values(job.branches)[0];
    const integration = nodeBranch
      ? nodeBranch.replace(/\/[^/]+$/, `/${INTEGRATION_LEAF}`)
      : integrationBranch(job.spec.number, job.spec.title);
    const outcome = await integrateRun(
      {
        runId: job.runId,
        spec: job.spec,
        base: job.base,
        branches: job.branches,
        integrationBranch: integration,
      },
      {
        forge,
        config,
        ledger: (await options.readLedger?.(job.runId)) ?? null,
        ...(reviewLock ? { exclusiveOfReview: reviewLock(job) } : {}),
        merge: (nodes, { beforePush, plan }) =>
          mergeNodeBranches({
            beforePush,
            remote,
            auth,
            base: job.base,
            integration,
            nodes,
            ...(options.mirrorsDir ? { mirrorsDir: options.mirrorsDir } : {}),
            resolve: async (dir, conflict) =>
              resolveConflict(
                await options.model(config, job.runId, join(options.runsDir, job.runId)),
                config,
                { copy: await openWorkingCopy(dir), plan, ...conflict },
              ),
          }),
      },
    );
    if (outcome.kind === "opened") await onOpened?.(job, outcome, integration, config);
    return outcome;
  };
}
