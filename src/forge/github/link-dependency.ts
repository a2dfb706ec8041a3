import type { IssueRef } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";

/** `blocked` is blocked by `blocking`, through the issue-dependencies API (which takes the blocker's id). */
export async function linkDependency(
  ctx: GitHubContext,
  blocked: IssueRef,
  blocking: IssueRef,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  const existing = await octokit.paginate(octokit.rest.issues.listDependenciesBlockedBy, {
    owner,
    repo,
    issue_number: blocked.number,
    per_page: 100,
  });
  if (existing.some((issue) => issue.id === blocking.id)) return;
  await octokit.rest.issues.addBlockedByDependency({
    owner,
    repo,
    issue_number: blocked.number,
    issue_id: blocking.id,
  });
}
