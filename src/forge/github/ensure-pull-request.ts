import { createHash } from "node:crypto";
import { specOfIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { Forge, PullRequestRef } from "../../pipeline/forge.js";
import { type GitHubContext, pullRequestRef } from "./context.js";
import { alreadyExists, createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";
import { pullKey, specKey } from "./run-memo.js";
import { knownNoPull, knownPull, notePull } from "./run-whereabouts.js";

type PullInput = Parameters<Forge["ensurePullRequest"]>[0];

/**
 * The open PR from `head`: created once, its title and body updated when they change. It follows a push of
 * the integration branch, so the memo keeps the PR, the branch's head and a digest of the PR's text as swarm
 * set it: the run is read without asking GitHub for them, and new text for a PR the memo holds (with the
 * head swarm pushed) is one edit, with no lookup first.
 */
export async function ensurePullRequest(ctx: GitHubContext, input: PullInput): Promise<PullRequestRef> {
  const spec = specOfIntegrationBranch(input.head);
  const fields = spec === null ? {} : await ctx.memo.read(specKey(spec));
  const body = fitText(input.body, MAX_ISSUE_BODY);
  const text = createHash("sha256").update(`${input.title}\n${body}`).digest("hex");
  // New text for a PR the memo holds: edited at once, and the answer says whether it is still open. The
  // same text is looked up, as a PR that did not change says nothing of whether a person closed it.
  const known = input.headSha === undefined ? null : knownPull(fields);
  const edited =
    known && fields["pull-text"] !== `${known.number}:${text}` ? await editKnownPull(ctx, known) : null;
  const made =
    edited ?? (await ensureOpenPull(ctx, { ...input, body }, spec !== null && knownNoPull(fields)));
  if (spec !== null) await notePull(ctx, spec, input.head, made, `${made.number}:${text}`);
  return made;

  // Null if GitHub says it is closed (by a person, the webhook not in yet). The head is the one swarm
  // pushed: an answer just after the push may not show it yet.
  async function editKnownPull(c: GitHubContext, pull: PullRequestRef): Promise<PullRequestRef | null> {
    const { data } = await c.octokit.rest.pulls.update({
      owner: c.owner,
      repo: c.repo,
      pull_number: pull.number,
      title: input.title,
      body,
    });
    return data.state === "open"
      ? { ...pullRequestRef(data), headSha: input.headSha ?? data.head.sha }
      : null;
  }
}

/** The open PR from `head`, looked up (unless the memo knows there is none), then created or edited. */
async function ensureOpenPull(ctx: GitHubContext, input: PullInput, none: boolean): Promise<PullRequestRef> {
  const { octokit, owner, repo } = ctx;
  const body = input.body;
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
  const existing = none ? null : await find();
  if (!existing) {
    const made = await createOnce<{
      number: number;
      html_url: string;
      node_id: string;
      head: { sha: string };
      draft?: boolean;
    }>(
      async () => {
        const { data } = await octokit.rest.pulls.create({
          owner,
          repo,
          head: input.head,
          base: input.base,
          title: input.title,
          body,
          draft: input.draft,
          ...NO_RETRY,
        });
        // A PR GitHub just made for swarm has no reviews: those swarm posts are recorded from now on (not
        // for one found instead, which may have some posted without the memo).
        await ctx.memo.write(pullKey(data.number), { all: "1" });
        return data;
      },
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
