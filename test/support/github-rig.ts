import { createGitHubForge } from "../../src/forge/github/create-github-forge.js";
import { createOctokit, type GitHubClient } from "../../src/forge/github/create-octokit.js";
import { git } from "./fake-github/bare-repo.js";
import type { FakeGitHub } from "./fake-github/server.js";
import type { RepoState } from "./fake-github/state.js";

/** Octokit through real GitHub App auth (a signed JWT, then an installation token) against the fake. */
export function octokitFor(
  fake: FakeGitHub,
  writeLimits?: { max: number; windowMs: number }[],
): GitHubClient {
  return createOctokit({
    auth: { appId: fake.app.id, privateKey: fake.app.privateKey, installationId: fake.app.installationId },
    baseUrl: fake.url,
    retryAfterBaseValue: 1,
    ...(writeLimits ? { writeLimits } : {}),
  });
}

export function forgeFor(
  fake: FakeGitHub,
  repo: RepoState,
  options: Parameters<typeof createGitHubForge>[3] = {},
) {
  return createGitHubForge(octokitFor(fake), repo.owner.login, repo.name, options);
}

/** A branch in the fake's bare repository, pointing at a new commit on top of `from`. */
export function pushBranch(repo: RepoState, branch: string, from = "main"): string {
  const tree = git(repo.bare, "rev-parse", `${from}^{tree}`);
  const parent = git(repo.bare, "rev-parse", from);
  const sha = git(repo.bare, "commit-tree", tree, "-p", parent, "-m", `work on ${branch}`);
  git(repo.bare, "update-ref", `refs/heads/${branch}`, sha);
  return sha;
}
