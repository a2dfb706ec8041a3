import type { PullRequestView, ReviewComment } from "../../pipeline/forge.js";
import { type GitHubContext, graphqlErrors } from "./context.js";

export async function readPullRequest(ctx: GitHubContext, number: number): Promise<PullRequestView> {
  const { data } = await ctx.octokit.rest.pulls.get({
    owner: ctx.owner,
    repo: ctx.repo,
    pull_number: number,
  });
  return {
    number: data.number,
    url: data.html_url,
    headRef: data.head.ref,
    headSha: data.head.sha,
    draft: data.draft ?? false,
    state: data.state === "open" ? "open" : "closed",
  };
}

/** The REST API cannot take a PR out of draft; GraphQL's mutation can. Already ready is left alone. */
export async function markReadyForReview(
  ctx: GitHubContext,
  pull: { number: number; nodeId?: string },
): Promise<void> {
  const mark = (id: string) =>
    ctx.octokit.graphql(
      "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }",
      { id },
    );
  const read = async () => {
    const { data } = await ctx.octokit.rest.pulls.get({
      owner: ctx.owner,
      repo: ctx.repo,
      pull_number: pull.number,
    });
    return data;
  };
  // With the node id the run holds, no read first; refused (a person made it ready meanwhile, say), read it.
  if (pull.nodeId) {
    try {
      await mark(pull.nodeId);
      return;
    } catch (error) {
      if (!graphqlErrors(error)) throw error;
    }
  }
  const data = await read();
  if (data.draft) await mark(data.node_id);
}

/** Users (octocat) and teams (org/team) asked to review; GitHub ignores those already asked. */
export async function requestReviewers(
  ctx: GitHubContext,
  number: number,
  reviewers: readonly string[],
): Promise<void> {
  const users = reviewers.filter((r) => !r.includes("/"));
  const teams = reviewers.filter((r) => r.includes("/")).map((r) => r.split("/")[1] ?? r);
  if (users.length === 0 && teams.length === 0) return;
  await ctx.octokit.rest.pulls.requestReviewers({
    owner: ctx.owner,
    repo: ctx.repo,
    pull_number: number,
    reviewers: users,
    team_reviewers: teams,
  });
}

export async function listReviewComments(
  ctx: GitHubContext,
  pullNumber: number,
  reviewId: number,
): Promise<ReviewComment[]> {
  const comments = await ctx.octokit.paginate(ctx.octokit.rest.pulls.listCommentsForReview, {
    owner: ctx.owner,
    repo: ctx.repo,
    pull_number: pullNumber,
    review_id: reviewId,
    per_page: 100,
  });
  return comments.flatMap((c) => (c.line ? [{ id: c.id, path: c.path, line: c.line, body: c.body }] : []));
}
