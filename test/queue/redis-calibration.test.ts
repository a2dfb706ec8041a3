import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunActuals } from "../../src/domain/estimate/run-actuals.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisCalibration } from "../../src/queue/redis-calibration.js";
import { requireRedis } from "../support/require-redis.js";

const redis = createRedis();
beforeAll(() => requireRedis());
afterAll(() => redis.quit());

const actuals = (runId: string, minute: number, usd = 0.1): RunActuals => ({
  v: 1,
  runId,
  status: "green",
  finishedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  seconds: 60,
  planSeconds: 5,
  reviews: 1,
  nodes: [{ id: "a", size: "S", tokens: 100, usd, seconds: 20 }],
  roles: {
    planner: { model: "claude-opus-5", tokens: 0, usd: 0 },
    coder: { model: "claude-sonnet-5", tokens: 100, usd },
    reviewer: { model: "claude-sonnet-5", tokens: 0, usd: 0 },
  },
  byModel: {},
  usd,
  tokens: 100,
});

describe("the calibration kept in Redis", () => {
  const prefix = `{swarm-test-${randomUUID().slice(0, 8)}}`;
  const repo = { owner: "acme", name: "lib" };

  it("marks a moment once: the first time wins", async () => {
    const c = createRedisCalibration(redis, prefix);
    await c.mark("r1", "planned", 1000);
    await c.mark("r1", "planned", 2000);
    await c.mark("r1", "node:a:start", 1500);
    expect(await c.times("r1")).toEqual({ planned: 1000, "node:a:start": 1500 });
    expect(await redis.ttl(`${prefix}:{run-r1}:times`)).toBeGreaterThan(0);
  });

  it("keeps a run once, replaced when it ends again, the newest 20 per repository, oldest first", async () => {
    const c = createRedisCalibration(redis, prefix);
    await c.record(repo, actuals("first", 0, 0.1));
    await c.record(repo, actuals("first", 1, 0.3)); // a revised run that ends green again
    expect((await c.read(repo)).map((r) => [r.runId, r.usd])).toEqual([["first", 0.3]]);
    for (let i = 2; i < 25; i++) await c.record(repo, actuals(`run${i}`, i));
    const kept = await c.read(repo);
    expect(kept).toHaveLength(20);
    expect(kept[0]?.runId).toBe("run5");
    expect(kept.at(-1)?.runId).toBe("run24");
    expect(await redis.hlen(`${prefix}:calibration:acme/lib`)).toBe(20);
    expect(await c.read({ owner: "acme", name: "other" })).toEqual([]);
  });

  it("skips an entry it cannot read instead of refusing the estimate", async () => {
    const c = createRedisCalibration(redis, prefix);
    const other = { owner: "acme", name: "broken" };
    await c.record(other, actuals("good", 1));
    await redis.hset(`${prefix}:calibration:acme/broken`, "cut", '{"v":1,"runId":', "old", '{"v":0}');
    expect((await c.read(other)).map((r) => r.runId)).toEqual(["good"]);
  });
});
