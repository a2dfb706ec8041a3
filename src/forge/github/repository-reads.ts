import type { IssueSnapshot } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";

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

async function repository(ctx: GitHubContext) {
  ctx.repository ??= ctx.octokit.rest.repos
    .get({ owner: ctx.owner, repo: ctx.repo })
    .then(({ data }) => ({ defaultBranch: data.default_branch, cloneUrl: data.clone_url }));
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
