import type { Redis } from "ioredis";

export type RunCoordinates = { installationId: number; owner: string; name: string; spec: number };

/** A run not seen live for this long is dropped: whatever it waits for (a person, CI) will touch it. */
const KEEP_MS = 14 * 24 * 3600_000;

/**
 * The live runs a deployment serves, so a worker's periodic sweep can check each against GitHub. Kept in
 * Redis and, by each worker, in memory: when Redis is lost, the workers still running write back what they
 * knew, and the sweep rebuilds those runs from GitHub.
 */
export function createRunRegistry(redis: Redis, prefix: string) {
  const key = `${prefix}:live-runs`;
  const known = new Map<string, RunCoordinates & { seen: number }>();
  return {
    /** Adds the run, or marks it seen live now. */
    async add(runId: string, run: RunCoordinates) {
      const entry = { ...run, seen: Date.now() };
      known.set(runId, entry);
      await redis.hset(key, runId, JSON.stringify(entry));
    },
    async remove(runId: string) {
      known.delete(runId);
      await redis.hdel(key, runId);
    },
    /** Every run known here or in Redis; what only this process knew is written back to Redis. */
    async all(): Promise<Map<string, RunCoordinates>> {
      const stored = await redis.hgetall(key);
      for (const [runId, json] of Object.entries(stored)) {
        try {
          known.set(runId, JSON.parse(json) as RunCoordinates & { seen: number });
        } catch {
          await redis.hdel(key, runId);
        }
      }
      for (const [runId, run] of known) {
        if (!(Date.now() - (run.seen ?? 0) < KEEP_MS)) {
          known.delete(runId);
          await redis.hdel(key, runId);
        } else if (!(runId in stored)) await redis.hset(key, runId, JSON.stringify(run));
      }
      return new Map(known);
    },
  };
}
