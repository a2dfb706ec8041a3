import { boundLog } from "../../domain/checks/bound-log.js";
import type { GitHubContext } from "./context.js";

/**
 * The whole log of a check run: for a GitHub Actions job (its details URL names the job), the job's log
 * (GitHub answers with a redirect to the text, which fetch follows); for a check run an app reported, its
 * output text. Null when there is neither.
 */
export async function readCheckLog(ctx: GitHubContext, checkRunId: number): Promise<string | null> {
  const { octokit, owner, repo } = ctx;
  const { data: run } = await octokit.rest.checks.get({ owner, repo, check_run_id: checkRunId });
  const jobId = /\/job\/(\d+)/.exec(run.details_url ?? "")?.[1];
  if (!jobId) return run.output.text || null;
  try {
    const { data } = await octokit.rest.actions.downloadJobLogsForWorkflowRun({
      owner,
      repo,
      job_id: Number(jobId),
    });
    return boundLog(typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer));
  } catch (error) {
    // Logs expire (90 days by default) and are gone with a deleted run.
    if ((error as { status?: number }).status === 404 || (error as { status?: number }).status === 410)
      return null;
    throw error;
  }
}
