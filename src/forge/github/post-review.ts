import { readMarker, renderMarker } from "../../domain/markers.js";
import type { ReviewComment } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";

/** One review per key: a review whose marker carries the key is returned instead of posting another. */
export async function postReview(
  ctx: GitHubContext,
  input: {
    pullNumber: number;
    commitSha: string;
    key: string;
    body: string;
    comments: readonly ReviewComment[];
  },
): Promise<{ id: number }> {
  const { octokit, owner, repo } = ctx;
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
  const existing = await find();
  if (existing) return existing;
  return createOnce(async () => {
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
}
