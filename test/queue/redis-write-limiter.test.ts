import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisWriteLimiter } from "../../src/queue/redis-write-limiter.js";
import { requireRedis } from "../support/require-redis.js";

// Three processes' limiters of one installation, each on its own Redis connection, as three workers have.
const connections: Redis[] = [];
beforeAll(async () => {
  await requireRedis();
  for (let i = 0; i < 3; i++) connections.push(createRedis());
});
afterAll(async () => {
  for (const c of connections) await c.quit();
});

const WINDOW = { max: 5, windowMs: 400 };
const limiters = (prefix: string) =>
  connections.map((c) => createRedisWriteLimiter(c, prefix, 42, { windows: [WINDOW], pollMs: 5 }));

describe("the write limiter shared through Redis", () => {
  it("keeps three processes' writes together within the window, one in flight at a time", async () => {
    const shared = limiters(`{swarm-test-${randomUUID().slice(0, 8)}}`);
    const spans: { start: number; end: number }[] = [];
    let flying = 0;
    let most = 0;
    const write = async () => {
      flying++;
      most = Math.max(most, flying);
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      flying--;
      spans.push({ start, end: Date.now() });
    };
    await Promise.all(shared.flatMap((l) => Array.from({ length: 6 }, () => l.run(write))));
    expect(spans).toHaveLength(18);
    expect(most).toBe(1);
    // Each write counts from its end, so no write may start while `max` others ended in the window before.
    const ends = spans.map((s) => s.end).sort((a, b) => a - b);
    for (const s of spans)
      expect(ends.filter((e) => e <= s.start && e > s.start - WINDOW.windowMs).length).toBeLessThan(
        WINDOW.max,
      );
    // 18 writes at 5 per 400 ms take at least three windows.
    expect(Math.max(...ends) - Math.min(...spans.map((s) => s.start))).toBeGreaterThanOrEqual(
      3 * WINDOW.windowMs,
    );
  });

  it("a pause asked by one process holds the others' writes", async () => {
    const [a, b, c] = limiters(`{swarm-test-${randomUUID().slice(0, 8)}}`);
    const paused = Date.now();
    await a?.pause(300);
    const started: number[] = [];
    await Promise.all([b, c].map((l) => l?.run(async () => started.push(Date.now()))));
    expect(started).toHaveLength(2);
    for (const t of started) expect(t - paused).toBeGreaterThanOrEqual(290);
  });

  it("keeps the slot of a live holder whose write outlasts the lease", async () => {
    const prefix = `{swarm-test-${randomUUID().slice(0, 8)}}`;
    const [slow, other] = connections.map((c) =>
      createRedisWriteLimiter(c, prefix, 9, { windows: [WINDOW], leaseMs: 90, pollMs: 5 }),
    );
    const spans: Record<string, [number, number]> = {};
    const timed = (name: string, ms: number) => async () => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, ms));
      spans[name] = [start, Date.now()];
    };
    const first = slow?.run(timed("slow", 350));
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([first, other?.run(timed("other", 1))]);
    expect((spans.other?.[0] ?? 0) >= (spans.slow?.[1] ?? Number.POSITIVE_INFINITY)).toBe(true);
  });

  it("frees the slot of a holder that died, after its lease", async () => {
    const prefix = `{swarm-test-${randomUUID().slice(0, 8)}}`;
    const [alive] = connections.map((c) =>
      createRedisWriteLimiter(c, prefix, 7, { windows: [WINDOW], leaseMs: 200, pollMs: 5 }),
    );
    // A holder that took the slot and was killed before it released it.
    await connections[1]?.zadd(`${prefix}:{gh-7}:in-flight`, Date.now() + 200, "killed");
    const asked = Date.now();
    let at = 0;
    await alive?.run(async () => {
      at = Date.now();
    });
    expect(at - asked).toBeGreaterThanOrEqual(150);
  });
});
