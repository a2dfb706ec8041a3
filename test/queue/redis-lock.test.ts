import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedis } from "../../src/queue/redis.js";
import { withRedisLock } from "../../src/queue/redis-lock.js";
import { requireRedis } from "../support/require-redis.js";

const redis = createRedis();
beforeAll(() => requireRedis());
afterAll(() => redis.quit());

it("a live holder keeps the lock past its TTL; the next waits its turn", async () => {
  const key = `swarm-test-lock-${randomUUID().slice(0, 8)}`;
  const order: string[] = [];
  const first = withRedisLock(redis, key, 300, async () => {
    order.push("first in");
    await new Promise((r) => setTimeout(r, 900)); // three TTLs: renewed, not lost
    order.push("first out");
  });
  await new Promise((r) => setTimeout(r, 50));
  const second = withRedisLock(redis, key, 300, async () => {
    order.push("second in");
  });
  await Promise.all([first, second]);
  expect(order).toEqual(["first in", "first out", "second in"]);
  expect(await redis.exists(key)).toBe(0);
});

it("a lock whose holder died (never renewed, never released) lapses within its TTL", async () => {
  const key = `swarm-test-lock-${randomUUID().slice(0, 8)}`;
  await redis.set(key, "a killed worker", "PX", 400);
  const started = Date.now();
  await withRedisLock(redis, key, 400, async () => undefined);
  const waited = Date.now() - started;
  expect(waited).toBeGreaterThanOrEqual(250);
  expect(waited).toBeLessThan(1500);
});
