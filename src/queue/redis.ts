import { Redis } from "ioredis";

/** A connection BullMQ can use: its workers block on Redis, so commands must never give up on retries. */
export function createRedis(url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}
