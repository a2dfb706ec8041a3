import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisRunMemo } from "../../src/queue/redis-run-memo.js";
import { requireRedis } from "../support/require-redis.js";

let redis: Redis;
const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  await requireRedis();
  redis = createRedis();
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

it("keeps each record's fields apart: two workers' writes to one record do not undo each other", async () => {
  const a = createRedisRunMemo(redis, prefix, 7, "acme", "shop");
  const b = createRedisRunMemo(redis, prefix, 7, "acme", "shop");
  await Promise.all([a.write("spec:1", { "node:api": "A" }), b.write("spec:1", { "node:ui": "B" })]);
  expect(await a.read("spec:1")).toEqual({ "node:api": "A", "node:ui": "B" });
  await b.write("spec:1", { "node:api": null, "?node:web": "1" });
  expect(await a.read("spec:1")).toEqual({ "node:ui": "B", "?node:web": "1" });
  expect(await a.read("spec:2")).toEqual({});
  // Another installation or repository has its own records; each is dropped after two weeks unwritten.
  expect(await createRedisRunMemo(redis, prefix, 8, "acme", "shop").read("spec:1")).toEqual({});
  expect(await createRedisRunMemo(redis, prefix, 7, "acme", "web").read("spec:1")).toEqual({});
  const ttl = await redis.ttl(`${prefix}:memo:7:acme/shop:spec:1`);
  expect(ttl).toBeGreaterThan(13 * 24 * 3600);
  expect(ttl).toBeLessThanOrEqual(14 * 24 * 3600);
});
