import type { IssueRef } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";

/** `blocked` is blocked by `blocking`, through the issue-dependencies API (which takes the blocker's id). */
export async function linkDependency(
  ctx: GitHubContext,
  blocked: IssueRef,
  blocking: IssueRef,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  let known = ctx.blockedBy.get(blocked.number);
  if (!known) {
    const existing = await octokit.paginate(octokit.rest.issues.listDependenciesBlockedBy, {
      owner,
      repo,
      issue_number: blocked.number,
      per_page: 100,
    });
    known = new Set(existing.map((issue) => issue.id));
    ctx.blockedBy.set(blocked.number, known);
  }
  if (known.has(blocking.id)) return;
  await octokit.rest.issues.addBlockedByDependency({
    owner,
    repo,
    issue_number: blocked.number,
    issue_id: blocking.id,
  });
  known.add(blocking.id);
}
