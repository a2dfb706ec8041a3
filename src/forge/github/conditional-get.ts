import type { CachedAnswer, EtagCache } from "./etag-cache.js";

type Options = { headers: Record<string, unknown> };
type Answer = {
  status: number;
  url: string;
  headers: Record<string, string | number | undefined>;
  data: unknown;
};
/** Octokit's `request.endpoint.parse`: the method, full URL (query included) and headers of a request. */
type Parse<O> = (options: O) => { method: string; url: string; headers: Record<string, unknown> };

/** Set on an answer served from the cache after GitHub said 304 Not Modified. */
export const NOT_MODIFIED_HEADER = "x-swarm-not-modified";

/**
 * An Octokit request hook making GETs conditional: it sends the ETag it holds for the URL as If-None-Match,
 * and on GitHub's 304 (which Octokit throws) returns the answer it stored. Every read still goes to GitHub,
 * so a change is never hidden (GitHub answers 200 with a new ETag); an unchanged one costs nothing against
 * the installation's hourly limit.
 */
export function conditionalGet<O extends Options, A extends Answer>(cache: EtagCache, parse: Parse<O>) {
  return async (send: (options: O) => A | Promise<A>, options: O): Promise<A> => {
    const parsed = parse(options);
    if (parsed.method !== "GET" || parsed.url.includes("/access_tokens")) return send(options);
    // One entry per page URL (query included) and media type: a raw file and its JSON are different answers.
    const key = `${parsed.url} ${String(parsed.headers.accept ?? "")}`;
    const held = cache.get(key);
    const validator = held && !mayHaveGrown(held, parsed.url) ? held.etag : undefined;
    if (validator) {
      cache.stats.revalidated++;
      // In place: Octokit's hooks hand the inner ones the options object they were given, not a copy.
      options.headers["if-none-match"] = validator;
    }
    try {
      const answer = await send(options);
      const etag = answer.headers.etag;
      // Only parsed bodies are kept: a stream (parseSuccessResponseBody: false) can be read only once.
      if (answer.status === 200 && typeof etag === "string" && !(answer.data instanceof ReadableStream))
        cache.set(key, {
          etag,
          url: answer.url,
          headers: answer.headers,
          data: structuredClone(answer.data),
        });
      return answer;
    } catch (error) {
      const refused = error as { status?: number; response?: { headers?: Answer["headers"] } };
      if (!held || !validator || refused.status !== 304) throw error;
      cache.stats.notModified++;
      const kept: Answer = {
        status: 200,
        url: held.url,
        // The 304's own headers are the fresh ones (rate limit, request id); the rest describe the body kept.
        headers: { ...held.headers, ...refused.response?.headers, [NOT_MODIFIED_HEADER]: "true" },
        // A copy: a caller that sorts or edits what it read must not change what the next read returns.
        data: structuredClone(held.data),
      };
      return kept as A;
    }
  };
}

/**
 * A full page with no next page may gain one without its own items changing (a 31st comment after 30), so
 * its ETag can stay the same while its Link header would not: such a page is read afresh.
 */
function mayHaveGrown(held: CachedAnswer, url: string): boolean {
  if (!Array.isArray(held.data)) return false;
  if (/\brel="next"/.test(String(held.headers.link ?? ""))) return false;
  const perPage = Number(new URL(url).searchParams.get("per_page") ?? 30);
  return held.data.length >= perPage;
}
