import type { Redis } from "ioredis";
import type { RunMemo } from "../forge/github/run-memo.js";

/** A record not written for this long is dropped; its run is rebuilt from GitHub if it comes back. */
const KEEP_SECONDS = 14 * 24 * 3600;

/**
 * The memo of one repository's runs in Redis, shared by every worker: one hash per record. Each write sets
 * only its own fields, so two workers recording different nodes of one run do not undo each other.
 */
export function createRedisRunMemo(
  redis: Redis,
  prefix: string,
  installationId: number,
  owner: string,
  repo: string,
): RunMemo {
  const keyOf = (key: string) => `${prefix}:memo:${installationId}:${owner}/${repo}:${key}`;
  return {
    read: (key) => redis.hgetall(keyOf(key)),
    write: async (key, fields) => {
      const set = Object.entries(fields).filter((e): e is [string, string] => e[1] !== null);
      const drop = Object.entries(fields)
        .filter(([, v]) => v === null)
        .map(([f]) => f);
      const tx = redis.multi();
      if (set.length > 0) tx.hset(keyOf(key), Object.fromEntries(set));
      if (drop.length > 0) tx.hdel(keyOf(key), ...drop);
      tx.expire(keyOf(key), KEEP_SECONDS);
      await tx.exec();
    },
  };
}
