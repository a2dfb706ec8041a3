import { join } from "node:path";
import { testSyntaxFacts } from "../context/test-syntax-facts.js";
import { specOfIntegrationBranch } from "../domain/branch/branch-names.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import type { LoadedRun } from "../pipeline/forge.js";
import type { ReviewJob } from "../pipeline/jobs.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import { type ReviewDeps, type ReviewOutcome, reviewChecks } from "../pipeline/review/review-checks.js";
import type { Rerun } from "../pipeline/review/send-revisions.js";
import { diffAgainstBase } from "../workspace/integration-workspace.js";
import type { NodeRunnerOptions } from "./node-runner.js";
import { standInForCi } from "./stand-in-ci.js";

/** What the review stage and `/swarm revise` share: the run's model, the PR's diff, the ledger. */
export function reviewServices(
  options: NodeRunnerOptions,
  installationId: number,
  owner: string,
  repo: string,
) {
  const forge = options.forgeFor(installationId, owner, repo);
  return {
    forge,
    model: (config: RepoConfig, runId: string) => options.model(config, runId, join(options.runsDir, runId)),
    diff: async (base: string, head: string, diffOptions: { wholeFiles?: boolean } = {}) => {
      const token = await options.tokenFor(installationId);
      return diffAgainstBase({
        remote: await forge.cloneUrl(),
        auth: token ? { token } : {},
        base,
        head,
        ...(diffOptions.wholeFiles ? { wholeFiles: true } : {}),
        ...(options.mirrorsDir ? { mirrorsDir: options.mirrorsDir } : {}),
      });
    },
    testFacts: testSyntaxFacts,
    ledger: async (runId: string) => (await options.readLedger?.(runId)) ?? null,
  };
}

/** A review job (checks finished on a commit), wired: is it a run's PR head? Then the review stage. */
export function createReviewProcessor(
  options: NodeRunnerOptions & {
    rerun: Rerun;
    reconcileFor?: (job: ReviewJob) => (run: LoadedRun) => Promise<unknown>;
    /** Keeps the actuals of a run the review ended, for the repository's next estimates. */
    finishedFor?: (job: ReviewJob, config: RepoConfig) => NonNullable<ReviewDeps["finished"]>;
  },
): (job: ReviewJob) => Promise<ReviewOutcome> {
  return async (job) => {
    const services = reviewServices(options, job.installationId, job.repo.owner, job.repo.name);
    const { forge } = services;
    let spec = specOfIntegrationBranch(job.headBranch ?? "");
    if (spec === null && job.pullNumbers[0])
      spec = specOfIntegrationBranch((await forge.readPullRequest(job.pullNumbers[0])).headRef);
    if (spec === null) return { kind: "ignored", reason: "not a swarm pull request" };
    const config = await readRepoConfig(forge, await forge.defaultBranch(), spec);
    if (job.ciFallback) {
      const token = await options.tokenFor(job.installationId);
      const remote = await forge.cloneUrl();
      const stoodIn = await standInForCi(
        forge,
        config,
        { spec, headSha: job.headSha },
        {
          auth: token ? { token } : {},
          ...(options.cacheFor ? { cacheDir: options.cacheFor(remote) } : {}),
          ...(options.installs ? { installs: options.installs } : {}),
        },
      );
      if (!stoodIn) return { kind: "ignored", reason: "the repository's own checks reported on this head" };
    }
    return reviewChecks(
      { spec, headSha: job.headSha },
      {
        ...services,
        config,
        rerun: options.rerun,
        ...(options.reconcileFor ? { reconcile: options.reconcileFor(job) } : {}),
        ...(options.finishedFor ? { finished: options.finishedFor(job, config) } : {}),
      },
    );
  };
}
