import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

// Deletes or extends the lock only while this holder has it, so a lock that lapsed and was taken by
// another worker is never released or renewed by the first.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Runs `work` while holding `key`, waiting for it first. The lock lives `ttlMs` and is renewed every third
 * of that while `work` runs, so a live holder keeps it however long it takes, and a killed one loses it
 * within `ttlMs` (not minutes), after which another worker takes it.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const holder = randomUUID();
  while ((await redis.set(key, holder, "PX", ttlMs, "NX")) !== "OK")
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, ttlMs / 4)));
  const renew = setInterval(() => {
    void redis.eval(RENEW, 1, key, holder, String(ttlMs)).catch(() => undefined);
  }, ttlMs / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await redis.eval(RELEASE, 1, key, holder).catch(() => undefined);
  }
}
