import type { Redis } from "ioredis";
import { type RunActuals, RunActualsSchema } from "../domain/estimate/run-actuals.js";

/** The newest finished runs that calibrate an estimate (as the local runs folder keeps). */
const KEEP = 20;
/** A run's moments are kept this long: long enough for any review loop, short enough to clean up after. */
const TIMES_TTL_S = 30 * 24 * 3600;

/**
 * What a deployment's estimates learn from, in Redis: each run's moments (the end of planning, each node's
 * first coding), written by whichever worker sees them, and each repository's finished runs' actuals.
 * A lost Redis loses only the calibration: the next estimates rest on the priors again.
 */
export function createRedisCalibration(redis: Redis, prefix: string) {
  const timesKey = (runId: string) => `${prefix}:{run-${runId}}:times`;
  const repoKey = (repo: { owner: string; name: string }) =>
    `${prefix}:calibration:${repo.owner}/${repo.name}`;
  /** The repository's newest finished runs, oldest first; an entry that cannot be read is skipped. */
  const read = async (repo: { owner: string; name: string }, keep = KEEP): Promise<RunActuals[]> => {
    const runs: RunActuals[] = [];
    for (const json of Object.values(await redis.hgetall(repoKey(repo)))) {
      try {
        const parsed = RunActualsSchema.safeParse(JSON.parse(json));
        if (parsed.success) runs.push(parsed.data);
      } catch {}
    }
    runs.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    return runs.slice(-keep);
  };
  return {
    /** Records a moment of the run (ms since the epoch) once: the first time wins, so retries change nothing. */
    async mark(runId: string, moment: string, at = Date.now()): Promise<void> {
      await redis
        .multi()
        .hsetnx(timesKey(runId), moment, String(at))
        .expire(timesKey(runId), TIMES_TTL_S)
        .exec();
    },
    async times(runId: string): Promise<Record<string, number>> {
      const h = await redis.hgetall(timesKey(runId));
      return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
    },
    /** Keeps a finished run's actuals (again: replaced, so a run that ends twice counts once). */
    async record(repo: { owner: string; name: string }, actuals: RunActuals): Promise<void> {
      await redis.hset(repoKey(repo), actuals.runId, JSON.stringify(actuals));
      const kept = await read(repo, Number.POSITIVE_INFINITY);
      const old = kept.slice(0, Math.max(0, kept.length - KEEP)).map((r) => r.runId);
      if (old.length > 0) await redis.hdel(repoKey(repo), ...old);
    },
    /** The repository's newest finished runs (20), oldest first. */
    read: (repo: { owner: string; name: string }) => read(repo),
  };
}

export type RedisCalibration = ReturnType<typeof createRedisCalibration>;
