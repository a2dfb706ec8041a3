import { readMarker, renderMarker } from "../../domain/markers.js";
import type { ReviewComment } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";
import { known, pullKey, recording, remember, unsure } from "./run-memo.js";

/**
 * One review per key: a review whose marker carries the key is returned instead of posting another. The
 * answer to a create does not list the review's line comments, so their ids are read after it (one request,
 * only for a review that has line comments). The memo keeps what was posted, per PR: on a PR swarm opened,
 * whose reviews it has recorded since, a key it holds nothing of is posted without a lookup first.
 */
export async function postReview(
  ctx: GitHubContext,
  input: {
    pullNumber: number;
    commitSha: string;
    key: string;
    body: string;
    comments: readonly ReviewComment[];
  },
): Promise<{ id: number; commentIds: (number | null)[] }> {
  const { octokit, owner, repo } = ctx;
  const withComments = async (review: { id: number }) => ({
    id: review.id,
    commentIds: input.comments.length > 0 ? await commentIdsOf(ctx, input, review.id) : [],
  });
  const find = async () => {
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
      owner,
      repo,
      pull_number: input.pullNumber,
      per_page: 100,
    });
    const found = reviews.find((r) => readMarker(r.body, "review")?.key === input.key);
    return found ? { id: found.id } : null;
  };
  const key = pullKey(input.pullNumber);
  const field = `review:${input.key}`;
  const record = await ctx.memo.read(key);
  const kept = known<{ id: number; commentIds: (number | null)[] }>(record, field);
  if (kept) return kept;
  const none = record.all !== undefined && !unsure(record, field);
  const existing = none ? null : await find();
  if (existing) {
    const found = await withComments(existing);
    await remember(ctx.memo, key, field, JSON.stringify(found));
    return found;
  }
  return recording(ctx.memo, key, field, () => post(), JSON.stringify);

  async function post() {
    const made = await createOnce(async () => {
      const { data } = await octokit.rest.pulls.createReview({
        ...NO_RETRY,
        owner,
        repo,
        pull_number: input.pullNumber,
        commit_id: input.commitSha,
        event: "COMMENT",
        body: fitText(`${input.body}\n\n${renderMarker("review", { v: 1, key: input.key })}`, MAX_ISSUE_BODY),
        comments: input.comments.map((c) => ({
          path: c.path,
          line: c.line,
          side: "RIGHT" as const,
          body: fitText(c.body, MAX_ISSUE_BODY),
        })),
      });
      return { id: data.id };
    }, find);
    return withComments(made);
  }
}

/** The ids of the review's line comments, matched to the comments asked for by path and line, in order. */
async function commentIdsOf(
  ctx: GitHubContext,
  input: { pullNumber: number; comments: readonly ReviewComment[] },
  reviewId: number,
): Promise<(number | null)[]> {
  const made = await ctx.octokit.paginate(ctx.octokit.rest.pulls.listCommentsForReview, {
    owner: ctx.owner,
    repo: ctx.repo,
    pull_number: input.pullNumber,
    review_id: reviewId,
    per_page: 100,
  });
  const left = [...made].sort((a, b) => a.id - b.id);
  return input.comments.map((c) => {
    const at = left.findIndex((m) => m.path === c.path && (m.line ?? m.original_line) === c.line);
    return at < 0 ? null : (left.splice(at, 1)[0]?.id ?? null);
  });
}
