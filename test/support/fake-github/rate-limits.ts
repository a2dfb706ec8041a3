// GitHub's rate limits as the fake enforces them. The primary limit is counted per credential (an
// installation, the App itself, the GitHub Actions token) in a fixed window that resets an hour after it
// began; a 304 answer to a conditional request is not counted (docs: "Rate limits for the REST API",
// "Best practices for using the REST API"). The secondary content-creating limit is a sliding window.
import { createHash } from "node:crypto";

export type LimitWindow = { max: number; windowMs: number };

/** One credential's counts: what the x-ratelimit-* headers of its answers report. */
export type Meter = {
  readonly key: string;
  limit: number;
  windowMs: number;
  used: number;
  /** When the current primary window began (ms since the epoch). */
  start: number;
  /** When its recent content-creating requests were made, for the secondary limit. */
  writes: number[];
};

export function createRateLimits(primary: LimitWindow, content: readonly LimitWindow[]) {
  const longest = Math.max(...content.map((w) => w.windowMs));
  const meters = new Map<string, Meter>();
  /** The meter of a credential, its window rolled over if an hour (or the set window) has passed. */
  const meter = (key: string, max = primary.max): Meter => {
    let m = meters.get(key);
    const now = Date.now();
    if (!m) {
      m = { key, limit: max, windowMs: primary.windowMs, used: 0, start: now, writes: [] };
      meters.set(key, m);
    }
    if (now >= m.start + m.windowMs) {
      m.used = 0;
      m.start = now;
    }
    return m;
  };
  return {
    meter,
    exhausted: (m: Meter) => m.used >= m.limit,
    count: (m: Meter) => {
      m.used += 1;
    },
    headers: (m: Meter, resource: string): Record<string, string> => ({
      "x-ratelimit-limit": String(m.limit),
      "x-ratelimit-remaining": String(Math.max(0, m.limit - m.used)),
      "x-ratelimit-used": String(m.used),
      "x-ratelimit-reset": String(Math.ceil((m.start + m.windowMs) / 1000)),
      "x-ratelimit-resource": resource,
    }),
    /**
     * The window one more content-creating request now would break (GitHub's: 80 a minute, 500 an hour),
     * or null, and then it is noted.
     */
    refuseWrite(m: Meter): LimitWindow | null {
      const now = Date.now();
      while (m.writes.length > 0 && (m.writes[0] ?? 0) <= now - longest) m.writes.shift();
      const broken = content.find((w) => m.writes.filter((at) => at > now - w.windowMs).length >= w.max);
      if (broken) return broken;
      m.writes.push(now);
      return null;
    },
    content,
  };
}

/** A weak validator over the JSON body, the form GitHub gives its JSON answers (`W/"<sha-256 hex>"`). */
export function etagOf(body: unknown): string {
  return `W/"${createHash("sha256").update(JSON.stringify(body)).digest("hex")}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches any. */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || bare(tag) === bare(etag));
}
