import type { IssueSnapshot } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { known, type RunMemo } from "./run-memo.js";

export async function readIssue(ctx: GitHubContext, number: number): Promise<IssueSnapshot> {
  const { data } = await ctx.octokit.rest.issues.get({
    owner: ctx.owner,
    repo: ctx.repo,
    issue_number: number,
  });
  return {
    number: data.number,
    title: data.title,
    body: data.body ?? null,
    state: data.state === "closed" ? "closed" : "open",
    author: { login: data.user?.login ?? "ghost", type: data.user?.type ?? "User" },
  };
}

/** Every comment of an issue (or PR), all pages. */
export function listIssueComments(ctx: GitHubContext, issueNumber: number) {
  return ctx.octokit.paginate(ctx.octokit.rest.issues.listComments, {
    owner: ctx.owner,
    repo: ctx.repo,
    issue_number: issueNumber,
    per_page: 100,
  });
}

/** How long the repository's default branch and clone URL are taken from the memo before asking again. */
const REPOSITORY_FRESH_MS = 10 * 60_000;

type Repository = { defaultBranch: string; cloneUrl: string; at: number };

/**
 * The repository's default branch and clone URL as GitHub just gave them: a read's answer, or a webhook's
 * payload (every delivery carries the whole repository), which is as fresh, so the job the delivery queues
 * need not ask GitHub.
 */
export async function noteRepository(
  memo: RunMemo,
  seen: { defaultBranch: string; cloneUrl: string },
): Promise<Repository> {
  const info: Repository = { ...seen, at: Date.now() };
  await memo.write("repository", { info: JSON.stringify(info) });
  return info;
}

async function repository(ctx: GitHubContext) {
  ctx.repository ??= (async () => {
    const remembered = known<Repository>(await ctx.memo.read("repository"), "info");
    if (remembered && Date.now() - remembered.at < REPOSITORY_FRESH_MS) return remembered;
    const { data } = await ctx.octokit.rest.repos.get({ owner: ctx.owner, repo: ctx.repo });
    return noteRepository(ctx.memo, { defaultBranch: data.default_branch, cloneUrl: data.clone_url });
  })();
  return ctx.repository;
}

export async function defaultBranch(ctx: GitHubContext): Promise<string> {
  return (await repository(ctx)).defaultBranch;
}

export async function cloneUrl(ctx: GitHubContext): Promise<string> {
  return (await repository(ctx)).cloneUrl;
}

/** All file paths at `ref`, in one request (GitHub truncates trees past 100,000 entries, and says so). */
export async function listFiles(ctx: GitHubContext, ref: string): Promise<string[]> {
  const { data } = await ctx.octokit.rest.git.getTree({
    owner: ctx.owner,
    repo: ctx.repo,
    tree_sha: ref,
    recursive: "1",
  });
  return data.tree
    .filter((entry) => entry.type === "blob" && entry.path)
    .map((entry) => entry.path as string);
}
