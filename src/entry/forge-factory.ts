import { createGitHubForge } from "../forge/github/create-github-forge.js";
import { createOctokit, installationToken } from "../forge/github/create-octokit.js";
import { createEtagCache, type EtagCache } from "../forge/github/etag-cache.js";
import { createMemoryRunMemo, type RunMemo } from "../forge/github/run-memo.js";
import {
  createWriteLimiter,
  GITHUB_WRITE_LIMITS,
  type Window,
  type WriteLimiter,
} from "../forge/github/write-limiter.js";
import type { Forge } from "../pipeline/forge.js";

export type GitHubAppOptions = {
  appId: number;
  privateKey: string;
  baseUrl?: string;
  retryAfterBaseValue?: number;
  writeLimits?: readonly Window[];
  /**
   * The limiter of an installation's writes; by default one per installation in this process. `swarm
   * worker` shares one through Redis, so every worker serving an installation keeps to the same limits.
   */
  writeLimiterFor?: (installationId: number) => WriteLimiter;
  /** What swarm wrote to a repository's runs; by default one per repository in this process. */
  memoFor?: (installationId: number, owner: string, repo: string) => RunMemo;
  /** Told each installation's rate limit as GitHub reports it (for metrics). */
  onRateLimit?: (installationId: number, remaining: number, limit: number) => void;
};

/**
 * Forges for jobs: each gets a client with its own installation token (made here, never carried by a job),
 * the one write limiter its installation shares (GitHub limits the installation), and the installation's
 * ETags, so a read another job of the installation made is revalidated for free.
 */
export function createForgeFactory(
  github: GitHubAppOptions,
): (installationId: number, owner: string, repo: string) => Forge {
  const shared = new Map<number, { writeLimiter: WriteLimiter; etagCache: EtagCache }>();
  const memos = new Map<string, RunMemo>();
  const memoFor = (installationId: number, owner: string, repo: string) => {
    const key = `${installationId}:${owner}/${repo}`;
    let memo = memos.get(key);
    if (!memo) {
      memo = github.memoFor?.(installationId, owner, repo) ?? createMemoryRunMemo();
      memos.set(key, memo);
    }
    return memo;
  };
  return (installationId, owner, repo) => {
    let installation = shared.get(installationId);
    if (!installation) {
      installation = {
        writeLimiter:
          github.writeLimiterFor?.(installationId) ??
          createWriteLimiter(github.writeLimits ?? GITHUB_WRITE_LIMITS),
        etagCache: createEtagCache(),
      };
      shared.set(installationId, installation);
    }
    const octokit = createOctokit({
      ...installation,
      auth: { appId: github.appId, privateKey: github.privateKey, installationId },
      ...(github.baseUrl ? { baseUrl: github.baseUrl } : {}),
      ...(github.retryAfterBaseValue ? { retryAfterBaseValue: github.retryAfterBaseValue } : {}),
      ...(github.onRateLimit
        ? {
            onRateLimit: (remaining: number, limit: number) =>
              github.onRateLimit?.(installationId, remaining, limit),
          }
        : {}),
    });
    return createGitHubForge(octokit, owner, repo, { memo: memoFor(installationId, owner, repo) });
  };
}

/** Installation tokens for git over https: made when a job needs one, never stored in a job. */
export function createTokenSource(github: GitHubAppOptions): (installationId: number) => Promise<string> {
  return (installationId) =>
    installationToken(
      createOctokit({
        auth: { appId: github.appId, privateKey: github.privateKey, installationId },
        ...(github.baseUrl ? { baseUrl: github.baseUrl } : {}),
      }),
    );
}
