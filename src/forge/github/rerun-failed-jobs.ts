import type { CheckResult, RerunResult } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";

/**
 * Re-runs the failed jobs of the workflow runs behind `checks` (one request per workflow run). A check run
 * of GitHub Actions links to its job's page; the job names its workflow run. GitHub re-runs the failed jobs
 * of that run (and the jobs that depend on them) on the same commit, as new check runs of the same names.
 */
export async function rerunFailedJobs(
  ctx: GitHubContext,
  checks: readonly CheckResult[],
): Promise<RerunResult> {
  const { octokit, owner, repo } = ctx;
  const notRerun: RerunResult["notRerun"] = [];
  const byRun = new Map<number, string[]>();
  for (const check of checks) {
    const jobId = /\/actions\/runs\/\d+\/job\/(\d+)/.exec(check.detailsUrl ?? "")?.[1];
    if (!jobId) {
      notRerun.push({ name: check.name, why: "it is not a GitHub Actions job" });
      continue;
    }
    const { data: job } = await octokit.rest.actions.getJobForWorkflowRun({
      owner,
      repo,
      job_id: Number(jobId),
    });
    byRun.set(job.run_id, [...(byRun.get(job.run_id) ?? []), check.name]);
  }
  const rerun: string[] = [];
  for (const [runId, names] of byRun) {
    try {
      await octokit.rest.actions.reRunWorkflowFailedJobs({ owner, repo, run_id: runId });
      rerun.push(...names);
    } catch (error) {
      // 403: GitHub refuses (the run is still going, has been re-run too often, or its logs have expired).
      const status = (error as { status?: number }).status;
      if (status !== 403 && status !== 404) throw error;
      const why = (error as { message?: string }).message ?? `GitHub answered ${status}`;
      for (const name of names) notRerun.push({ name, why: `GitHub refused the re-run: ${why}` });
    }
  }
  return { rerun, notRerun };
}
