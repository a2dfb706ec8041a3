import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import Bottleneck from "bottleneck";
import { conditionalGet } from "./conditional-get.js";
import { createEtagCache, type EtagCache } from "./etag-cache.js";
import { createWriteLimiter, GITHUB_WRITE_LIMITS, type Window, type WriteLimiter } from "./write-limiter.js";

export const SwarmOctokit = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof SwarmOctokit>;

/** A short-lived installation token for git over https; it goes to git only through gitNetworkEnv. */
export async function installationToken(octokit: GitHubClient): Promise<string> {
  const auth = (await octokit.auth({ type: "installation" })) as { token: string };
  return auth.token;
}

export type OctokitOptions = {
  auth: { appId: number; privateKey: string; installationId: number } | { token: string };
  /** https://api.github.com, or a GitHub Enterprise or test server. */
  baseUrl?: string;
  /** Multiplier of retry-after and backoff waits, in ms (1000 in production; tests use 1). */
  retryAfterBaseValue?: number;
  /** GitHub's secondary limits on content-creating requests (80 a minute, 500 an hour); tests shrink them. */
  writeLimits?: readonly Window[];
  /**
   * A limiter shared by every client of one installation in this process: GitHub counts the installation's
   * writes, not a client's, so one job per client would let parallel jobs exceed the limit together.
   */
  writeLimiter?: WriteLimiter;
  /**
   * The ETags and answers of the installation's reads, shared by its clients in this process so that each
   * read GitHub has already answered is revalidated (a 304, free against the hourly limit). Each client has
   * its own when absent.
   */
  etagCache?: EtagCache;
  /** Told GitHub's rate limit after each answer (the x-ratelimit headers), for metrics. */
  onRateLimit?: (remaining: number, limit: number) => void;
};

/**
 * Octokit as swarm uses it: installation auth (the token never leaves this object), retries of 5xx and
 * secondary rate limits honouring retry-after, and writes one at a time within GitHub's content limits.
 * The throttling plugin's defaults space writes 1 s apart and writes that notify people (issues, comments,
 * PRs, reviews) 3 s apart, which would take over a minute to lay out a plan of 12 nodes; the limiter below
 * allows such bursts while staying under GitHub's documented 80 a minute and 500 an hour.

 */
export function createOctokit(options: OctokitOptions): GitHubClient {
  const base = options.retryAfterBaseValue ?? 1000;
  const limiter = options.writeLimiter ?? createWriteLimiter(options.writeLimits ?? GITHUB_WRITE_LIMITS);
  // GitHub's answer to one request speaks for the installation: every writer of it (in every process, with
  // a shared limiter) waits as long as GitHub asked, not just the request that was refused.
  const pauseWriters = (afterS: number) => void limiter.pause(afterS * base).catch(() => undefined);
  const octokit = new SwarmOctokit({
    ...("token" in options.auth
      ? { auth: options.auth.token }
      : { authStrategy: createAppAuth, auth: options.auth }),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    userAgent: "swarm",
    retry: { retries: 3, retryAfterBaseValue: base },
    throttle: {
      retryAfterBaseValue: base,
      onRateLimit: (after: number, _options: unknown, _octokit: unknown, retryCount: number) => {
        pauseWriters(after);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (after: number, _options: unknown, _octokit: unknown, retryCount: number) => {
        pauseWriters(after);
        return retryCount < 2;
      },
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
    },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });

  // Wrapped first, so the hook below sees a 304 as the answer it stands for (and its fresh rate limit).
  const reads = conditionalGet(options.etagCache ?? createEtagCache(), octokit.request.endpoint.parse);
  octokit.hook.wrap("request", (request, req) => reads(request, req));

  const onRateLimit = options.onRateLimit;
  // A GraphQL query reads (it is a POST only to carry the query); a mutation writes.
  const writes = (req: { method?: string; url?: string; query?: unknown }) =>
    req.method !== "GET" &&
    !String(req.url).includes("/access_tokens") &&
    !(String(req.url).endsWith("/graphql") && !/^\s*mutation\b/.test(String(req.query ?? "")));
  octokit.hook.wrap("request", async (request, req) => {
    const response = await (writes(req) ? limiter.run(async () => request(req)) : request(req));
    const remaining = Number(response.headers["x-ratelimit-remaining"] ?? Number.NaN);
    const limit = Number(response.headers["x-ratelimit-limit"] ?? Number.NaN);
    if (onRateLimit && Number.isFinite(remaining) && Number.isFinite(limit)) onRateLimit(remaining, limit);
    return response;
  });

  return octokit;
}
