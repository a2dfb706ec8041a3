import type { IssueRef } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { alreadyExists, createOnce, NO_RETRY } from "./create-once.js";

/** `blocked` is blocked by `blocking`, through the issue-dependencies API (which takes the blocker's id). */
export async function linkDependency(
  ctx: GitHubContext,
  blocked: IssueRef,
  blocking: IssueRef,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  const blockers = async () => {
    const existing = await octokit.paginate(octokit.rest.issues.listDependenciesBlockedBy, {
      owner,
      repo,
      issue_number: blocked.number,
      per_page: 100,
    });
    return new Set(existing.map((issue) => issue.id));
  };
  let known = ctx.blockedBy.get(blocked.number);
  if (!known) {
    known = await blockers();
    ctx.blockedBy.set(blocked.number, known);
  }
  if (known.has(blocking.id)) return;
  // A link re-sent after its answer was lost is a 422 "already exists": the first one stands.
  await createOnce(
    async () =>
      !!(await octokit.rest.issues.addBlockedByDependency({
        owner,
        repo,
        issue_number: blocked.number,
        issue_id: blocking.id,
        ...NO_RETRY,
      })),
    async () => ((await blockers()).has(blocking.id) ? true : null),
    { exists: alreadyExists },
  );
  known.add(blocking.id);
}

/** `blocked` is no longer blocked by `blocking`; a link that is not there (already gone) is no error. */
export async function unlinkDependency(
  ctx: GitHubContext,
  blocked: IssueRef,
  blocking: IssueRef,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  try {
    await octokit.rest.issues.removeDependencyBlockedBy({
      owner,
      repo,
      issue_number: blocked.number,
      issue_id: blocking.id,
    });
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
  }
  ctx.blockedBy.get(blocked.number)?.delete(blocking.id);
}
