import type { IssueRef } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { alreadyExists, createOnce, NO_RETRY } from "./create-once.js";
import { issueKey, known, recording } from "./run-memo.js";

/** The ids of the issues known to block `issue`: this job's, the memo's, or (once) GitHub's. */
async function blockersOf(ctx: GitHubContext, issue: number, fromGitHub: () => Promise<Set<number>>) {
  let ids = ctx.blockedBy.get(issue);
  if (!ids) {
    const remembered = known<number[]>(await ctx.memo.read(issueKey(issue)), "blockers");
    ids = remembered ? new Set(remembered) : await fromGitHub();
    if (!remembered) await ctx.memo.write(issueKey(issue), { blockers: JSON.stringify([...ids]) });
    ctx.blockedBy.set(issue, ids);
  }
  return ids;
}

/** A new issue has no blockers and no comments yet: no need to ask GitHub. */
export async function noBlockersYet(ctx: GitHubContext, issue: number): Promise<void> {
  ctx.blockedBy.set(issue, new Set());
  await ctx.memo.write(issueKey(issue), { blockers: "[]", listed: "1" });
}

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
  const ids = await blockersOf(ctx, blocked.number, blockers);
  if (ids.has(blocking.id)) return;
  // A link re-sent after its answer was lost is a 422 "already exists": the first one stands.
  await recording(
    ctx.memo,
    issueKey(blocked.number),
    "blockers",
    async () => {
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
      ids.add(blocking.id);
    },
    () => JSON.stringify([...ids]),
  );
}

/** `blocked` is no longer blocked by `blocking`; a link that is not there (already gone) is no error. */
export async function unlinkDependency(
  ctx: GitHubContext,
  blocked: IssueRef,
  blocking: IssueRef,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  const ids = ctx.blockedBy.get(blocked.number);
  await recording(
    ctx.memo,
    issueKey(blocked.number),
    "blockers",
    async () => {
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
      ids?.delete(blocking.id);
    },
    // What this job does not know is asked of GitHub again next time.
    () => (ids ? JSON.stringify([...ids]) : "null"),
  );
}
