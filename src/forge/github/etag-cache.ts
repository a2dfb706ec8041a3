/** A GET answer GitHub gave with a validator, kept to be revalidated with If-None-Match. */
export type CachedAnswer = {
  etag: string;
  url: string;
  headers: Record<string, string | number | undefined>;
  data: unknown;
};

/**
 * The ETags and answers of one installation's reads, shared by every client of that installation in the
 * process (a 304 costs nothing against the installation's hourly limit, whichever client asks). Bounded:
 * least recently used entries go first.
 */
export type EtagCache = {
  get(key: string): CachedAnswer | undefined;
  set(key: string, answer: CachedAnswer): void;
  readonly size: number;
  /** Reads answered from the cache after a 304, and reads sent with a validator: for tests and metrics. */
  readonly stats: { revalidated: number; notModified: number };
};

export function createEtagCache(maxEntries = 4000): EtagCache {
  // A Map keeps insertion order: re-inserting on use makes its first key the least recently used.
  const entries = new Map<string, CachedAnswer>();
  const stats = { revalidated: 0, notModified: 0 };
  return {
    get(key) {
      const answer = entries.get(key);
      if (answer) {
        entries.delete(key);
        entries.set(key, answer);
      }
      return answer;
    },
    set(key, answer) {
      entries.delete(key);
      entries.set(key, answer);
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    stats,
  };
}
