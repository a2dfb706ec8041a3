import type { Annotation, CheckResult } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";

const FAILED = new Set(["failure", "timed_out", "cancelled", "action_required"]);
const LOG_TAIL_LINES = 150;

/** Check runs on `ref`, with the annotations and the job log's tail of each failed run. */
export async function listCheckResults(ctx: GitHubContext, ref: string): Promise<CheckResult[]> {
  const { octokit, owner, repo } = ctx;
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    owner,
    repo,
    ref,
    filter: "latest",
    per_page: 100,
  });
  return Promise.all(
    runs.map(async (run): Promise<CheckResult> => {
      const failed = run.conclusion !== null && FAILED.has(run.conclusion);
      const annotations = failed && run.output.annotations_count > 0 ? await annotationsOf(ctx, run.id) : [];
      return {
        id: run.id,
        name: run.name,
        status: run.status,
        conclusion: run.conclusion,
        title: run.output.title,
        summary: run.output.summary,
        annotations,
        logTail: failed ? await logTail(ctx, run.details_url) : null,
        detailsUrl: run.details_url,
      };
    }),
  );
}

async function annotationsOf(ctx: GitHubContext, checkRunId: number): Promise<Annotation[]> {
  const { octokit, owner, repo } = ctx;
  const found = await octokit.paginate(octokit.rest.checks.listAnnotations, {
    owner,
    repo,
    check_run_id: checkRunId,
    per_page: 100,
  });
  return found.map((a) => ({
    path: a.path,
    startLine: a.start_line,
    endLine: a.end_line,
    level: (a.annotation_level ?? "failure") as Annotation["level"],
    message: a.message ?? "",
    ...(a.title ? { title: a.title } : {}),
  }));
}

/** For a GitHub Actions job, the last lines of its log (GitHub answers with a redirect, which fetch follows). */
async function logTail(ctx: GitHubContext, detailsUrl: string | null): Promise<string | null> {
  const jobId = /\/job\/(\d+)/.exec(detailsUrl ?? "")?.[1];
  if (!jobId) return null;
  const { data } = await ctx.octokit.rest.actions.downloadJobLogsForWorkflowRun({
    owner: ctx.owner,
    repo: ctx.repo,
    job_id: Number(jobId),
  });
  const text = typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer);
  return text.split("\n").slice(-LOG_TAIL_LINES).join("\n");
}
