import type { Permission, ReactionContent } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { specKey } from "./run-memo.js";

/**
 * A file's text at `ref`, or null when there is no such file. At a commit (which never changes) it is read
 * from GitHub once and then remembered; pinned to a run, it is remembered in the run's record (until a
 * `fresh` read replaces it), so every job of the run reads the config the run started with.
 */
export async function readFile(
  ctx: GitHubContext,
  ref: string,
  path: string,
  pin?: { run: number; fresh?: boolean },
): Promise<string | null> {
  const [key, field] = /^[0-9a-f]{40}$/.test(ref)
    ? [`commit:${ref}`, `file:${path}`]
    : pin
      ? [specKey(pin.run), `file:${ref}:${path}`]
      : [null, ""];
  if (key && !pin?.fresh) {
    const remembered = (await ctx.memo.read(key))[field];
    if (remembered !== undefined) return JSON.parse(remembered) as string | null;
  }
  const content = await readFileFromGitHub(ctx, ref, path);
  // A fresh read replaces the run's copies at every ref (the code stages read it at the base branch).
  const stale =
    key && pin?.fresh
      ? Object.keys(await ctx.memo.read(key)).filter((f) => f.startsWith("file:") && f.endsWith(`:${path}`))
      : [];
  if (key)
    await ctx.memo.write(key, {
      ...Object.fromEntries(stale.map((f) => [f, null])),
      [field]: JSON.stringify(content),
    });
  return content;
}

async function readFileFromGitHub(ctx: GitHubContext, ref: string, path: string): Promise<string | null> {
  try {
    const { data } = await ctx.octokit.rest.repos.getContent({ owner: ctx.owner, repo: ctx.repo, path, ref });
    if (Array.isArray(data) || data.type !== "file" || !("content" in data)) return null;
    return Buffer.from(data.content, "base64").toString("utf8");
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

export async function getPermission(ctx: GitHubContext, username: string): Promise<Permission> {
  try {
    const { data } = await ctx.octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: ctx.owner,
      repo: ctx.repo,
      username,
    });
    // role_name tells maintain and triage apart, which the legacy permission field folds into write and read.
    const role = data.role_name as Permission;
    return ["admin", "maintain", "write", "triage", "read"].includes(role)
      ? role
      : (data.permission as Permission);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return "none";
    throw error;
  }
}

/** GitHub answers 200 for a reaction the app already left, so this is idempotent as it is. */
export async function addReaction(
  ctx: GitHubContext,
  target: { issueNumber: number } | { commentId: number } | { reviewCommentId: number },
  content: ReactionContent,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  if ("issueNumber" in target)
    await octokit.rest.reactions.createForIssue({ owner, repo, issue_number: target.issueNumber, content });
  else if ("reviewCommentId" in target)
    await octokit.rest.reactions.createForPullRequestReviewComment({
      owner,
      repo,
      comment_id: target.reviewCommentId,
      content,
    });
  else
    await octokit.rest.reactions.createForIssueComment({
      owner,
      repo,
      comment_id: target.commentId,
      content,
    });
}
