import { specOfIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { PullRequestRef } from "../../pipeline/forge.js";
import { type GitHubContext, pullRequestRef } from "./context.js";
import { alreadyExists, createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";
import { specKey } from "./run-memo.js";
import { knownNoPull, notePull } from "./run-whereabouts.js";

/**
 * The open PR from `head`: created once, its title and body updated when they change. It follows a push of
 * the integration branch, so the memo keeps the PR and the branch's head, and the run is read without
 * asking GitHub for them.
 */
export async function ensurePullRequest(
  ctx: GitHubContext,
  input: { head: string; base: string; title: string; body: string; draft: boolean },
): Promise<PullRequestRef> {
  const made = await ensureOpenPull(ctx, input);
  const spec = specOfIntegrationBranch(input.head);
  if (spec !== null) await notePull(ctx, spec, input.head, made);
  return made;
}

async function ensureOpenPull(
  ctx: GitHubContext,
  input: { head: string; base: string; title: string; body: string; draft: boolean },
): Promise<PullRequestRef> {
  const { octokit, owner, repo } = ctx;
  const body = fitText(input.body, MAX_ISSUE_BODY);
  const find = async () => {
    const { data: open } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: `${owner}:${input.head}`,
      state: "open",
      per_page: 100, // not 1: a full page is read afresh, any other is revalidated (a 304)
    });
    return open[0] ?? null;
  };
  // The memo knowing there is none, it is created at once: one made meanwhile is GitHub's 422, then found.
  const spec = specOfIntegrationBranch(input.head);
  const none = spec !== null && knownNoPull(await ctx.memo.read(specKey(spec)));
  const existing = none ? null : await find();
  if (!existing) {
    const made = await createOnce<{
      number: number;
      html_url: string;
      node_id: string;
      head: { sha: string };
      draft?: boolean;
    }>(
      async () =>
        (
          await octokit.rest.pulls.create({
            owner,
            repo,
            head: input.head,
            base: input.base,
            title: input.title,
            body,
            draft: input.draft,
            ...NO_RETRY,
          })
        ).data,
      find,
      { exists: alreadyExists },
    );
    return pullRequestRef(made);
  }
  if (existing.title !== input.title || existing.body !== body) {
    await octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, title: input.title, body });
  }
  return pullRequestRef(existing);
}
