import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { criticalPath } from "../../src/domain/dag/critical-path.js";
import type { Plan } from "../../src/domain/plan/plan.js";
import type { NodeOutcome, NodeRunner, OnSettled, Scheduler } from "../../src/pipeline/scheduler.js";
import { createInProcessScheduler } from "../../src/queue/in-process-scheduler.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisScheduler } from "../../src/queue/redis-scheduler.js";
import { node, plan } from "../support/plans.js";
import { requireRedis } from "../support/require-redis.js";

type Span = { node: string; start: number; end: number };
type Behaviour = {
  latencyMs?: Record<string, number>;
  outcome?: Record<string, NodeOutcome>;
  throwsTimes?: Record<string, number>;
};

const redis = createRedis();
beforeAll(() => requireRedis());
afterAll(() => redis.quit());

/** A runner that records when each node ran, waits its latency, and ends as told. */
function recordingRunner(b: Behaviour = {}) {
  const spans: Span[] = [];
  const calls = new Map<string, number>();
  const feedback: string[] = [];
  const runNode: NodeRunner = async ({ node: n, isCancelled, revision }) => {
    const call = (calls.get(n.id) ?? 0) + 1;
    calls.set(n.id, call);
    if (revision) feedback.push(`${n.id}: ${revision.feedback}`);
    const start = performance.now();
    const latency = b.latencyMs?.[n.id] ?? 40;
    for (let waited = 0; waited < latency; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (await isCancelled()) return "cancelled";
    }
    if (call <= (b.throwsTimes?.[n.id] ?? 0)) throw new Error(`${n.id} hit a passing fault`);
    spans.push({ node: n.id, start, end: performance.now() });
    return b.outcome?.[n.id] ?? "done";
  };
  return { runNode, spans, calls, feedback };
}

type Make = (runNode: NodeRunner, concurrency: number, onSettled?: OnSettled) => Scheduler;
const implementations: [string, Make][] = [
  [
    "in-process",
    (runNode, concurrency, onSettled) =>
      createInProcessScheduler({ runNode, concurrency, ...(onSettled ? { onSettled } : {}) }),
  ],
  [
    "Redis + BullMQ",
    (runNode, concurrency, onSettled) =>
      createRedisScheduler({
        connection: redis,
        prefix: `swarm-test-${randomUUID().slice(0, 8)}`,
        runNode,
        concurrency,
        stalledIntervalMs: 1000,
        ...(onSettled ? { onSettled } : {}),
      }),
  ],
];

async function execute(
  make: (r: NodeRunner, c: number) => Scheduler,
  p: Plan,
  b: Behaviour = {},
  opts: { maxParallel?: number; concurrency?: number } = {},
) {
  const runner = recordingRunner(b);
  const scheduler = make(runner.runNode, opts.concurrency ?? 8);
  const runId = randomUUID().slice(0, 8);
  const { tail } = criticalPath(p);
  await scheduler.start({
    runId,
    plan: p,
    maxParallel: opts.maxParallel ?? 8,
    priorities: tail,
    context: { repo: "acme/shop" },
  });
  const states = await scheduler.settled(runId);
  await scheduler.close();
  return { states, spans: runner.spans, calls: runner.calls, scheduler, runId };
}

const span = (spans: Span[], id: string) => spans.find((s) => s.node === id) as Span;
const overlap = (a: Span, b: Span) => a.start < b.end && b.start < a.end;
/** The most spans running at any one moment. */
const peak = (spans: Span[]) => {
  const events = spans
    .flatMap((s) => [[s.start, 1] as const, [s.end, -1] as const])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of events) {
    now += delta;
    most = Math.max(most, now);
  }
  return most;
};

describe.each(implementations)("scheduler contract: %s", (_name, make) => {
  it("adopts a run it does not hold at the forge's states: codes only what is unfinished, settles once", async () => {
    const runner = recordingRunner();
    const settles: Record<string, string>[] = [];
    const scheduler = make(runner.runNode, 8, async (_run, states) => {
      settles.push(states);
    });
    const runId = randomUUID().slice(0, 8);
    const diamond = plan(node("a"), node("b", ["a"]), node("c", ["a"]), node("d", ["b", "c"]));
    const start = { runId, plan: diamond, maxParallel: 4, priorities: {}, context: null };
    expect(await scheduler.knows(runId)).toBe(false);
    expect(await scheduler.adopt(start, { a: "done", b: "done", c: "running", d: "pending" })).toBe(true);
    expect(await scheduler.knows(runId)).toBe(true);
    // Held now: adopting it again (a second worker's sweep, a redelivered job) changes nothing.
    expect(await scheduler.adopt(start, { a: "pending", b: "pending", c: "pending", d: "pending" })).toBe(
      false,
    );
    expect(await scheduler.settled(runId)).toEqual({ a: "done", b: "done", c: "done", d: "done" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.close();
    expect([...runner.calls.keys()].sort()).toEqual(["c", "d"]);
    expect(settles).toHaveLength(1);
  });

  it("adopting blocks the nodes that depend on a failed one, and a rerun of a run it does not hold is refused", async () => {
    const runner = recordingRunner();
    const scheduler = make(runner.runNode, 8);
    const runId = randomUUID().slice(0, 8);
    // A worker died after marking `b` failed and before its dependents learned it.
    const p = plan(node("a"), node("b", ["a"]), node("c", ["b"]), node("d", ["c"]), node("e", ["a"]));
    const start = { runId, plan: p, maxParallel: 4, priorities: {}, context: null };
    await expect(scheduler.rerun(runId, "k", { a: null })).rejects.toThrow();
    expect(
      await scheduler.adopt(start, { a: "done", b: "failed", c: "pending", d: "pending", e: "running" }),
    ).toBe(true);
    expect(await scheduler.settled(runId)).toEqual({
      a: "done",
      b: "failed",
      c: "blocked",
      d: "blocked",
      e: "done",
    });
    await scheduler.close();
    expect([...runner.calls.keys()]).toEqual(["e"]);
  });

  it("adopting a finished run codes nothing and does not settle it again", async () => {
    const runner = recordingRunner();
    let settles = 0;
    const scheduler = make(runner.runNode, 8, async () => {
      settles++;
    });
    const runId = randomUUID().slice(0, 8);
    const start = {
      runId,
      plan: plan(node("a"), node("b", ["a"])),
      maxParallel: 4,
      priorities: {},
      context: null,
    };
    expect(await scheduler.adopt(start, { a: "done", b: "failed" })).toBe(true);
    expect(await scheduler.settled(runId)).toEqual({ a: "done", b: "failed" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await scheduler.close();
    expect(runner.calls.size).toBe(0);
    expect(settles).toBe(0);
  });

  it("runs a diamond in dependency order, with the two middle nodes at the same time", async () => {
    const { states, spans } = await execute(
      make,
      plan(node("a"), node("b", ["a"]), node("c", ["a"]), node("d", ["b", "c"])),
    );
    expect(states).toEqual({ a: "done", b: "done", c: "done", d: "done" });
    expect(span(spans, "b").start).toBeGreaterThanOrEqual(span(spans, "a").end);
    expect(span(spans, "d").start).toBeGreaterThanOrEqual(
      Math.max(span(spans, "b").end, span(spans, "c").end),
    );
    expect(overlap(span(spans, "b"), span(spans, "c"))).toBe(true);
  });

  it("runs a wide DAG all at once when there are enough workers", async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `w${i}`);
    const { spans } = await execute(make, plan(...ids.map((id) => node(id))), {
      latencyMs: Object.fromEntries(ids.map((id) => [id, 150])),
    });
    const first = Math.min(...spans.map((s) => s.start));
    const last = Math.max(...spans.map((s) => s.end));
    expect(last - first).toBeLessThan(150 * 2);
    for (const s of spans) expect(overlap(s, span(spans, "w0"))).toBe(true);
  });

  it("starts a node as soon as its own dependencies are done, not a whole layer", async () => {
    // slow → after-slow; fast → after-fast: after-fast must not wait for slow.
    const p = plan(node("slow"), node("fast"), node("after-slow", ["slow"]), node("after-fast", ["fast"]));
    const { spans } = await execute(make, p, { latencyMs: { slow: 300, fast: 20 } });
    expect(span(spans, "after-fast").start).toBeLessThan(span(spans, "slow").end);
  });

  it("keeps at most maxParallel of a run's nodes going at once, critical path first", async () => {
    const p = plan(
      node("x1"),
      node("x2"),
      node("x3"),
      node("long"),
      node("long-2", ["long"]),
      node("long-3", ["long-2"]),
    );
    const { spans } = await execute(make, p, {}, { maxParallel: 2 });
    expect(peak(spans)).toBe(2);

    const order = [...spans].sort((a, b) => a.start - b.start).map((s) => s.node);
    expect(order.slice(0, 2)).toContain("long");
  });

  it("blocks only the dependents of a node that fails, and finishes the rest", async () => {
    const p = plan(
      node("a"),
      node("b", ["a"]),
      node("c", ["b"]),
      node("d", ["c"]),
      node("x"),
      node("y", ["x"]),
    );
    const { states } = await execute(make, p, { outcome: { b: "failed" } });
    expect(states).toEqual({ a: "done", b: "failed", c: "blocked", d: "blocked", x: "done", y: "done" });
  });

  it("retries a node after a passing fault, and fails it once its attempts are used", async () => {
    const p = plan(node("flaky"), node("broken"), node("after", ["broken"]));
    const { states, calls } = await execute(make, p, { throwsTimes: { flaky: 1, broken: 99 } });
    expect(states).toEqual({ flaky: "done", broken: "failed", after: "blocked" });
    expect(calls.get("flaky")).toBe(2);
    expect(calls.get("broken")).toBe(2);
  });

  it("runs each node once when the run is started twice", async () => {
    const runner = recordingRunner();
    const scheduler = make(runner.runNode, 4);
    const p = plan(node("a"), node("b", ["a"]));
    const start = { runId: randomUUID().slice(0, 8), plan: p, maxParallel: 4, priorities: {}, context: null };
    await Promise.all([scheduler.start(start), scheduler.start(start)]);
    await scheduler.start(start);
    await scheduler.settled(start.runId);
    await scheduler.close();
    expect(Object.fromEntries(runner.calls)).toEqual({ a: 1, b: 1 });
  });

  it("cancels: queued nodes are dropped and a running one stops at its next turn", async () => {
    const runner = recordingRunner({ latencyMs: { a: 2000 } });
    const scheduler = make(runner.runNode, 4);
    const runId = randomUUID().slice(0, 8);
    await scheduler.start({
      runId,
      plan: plan(node("a"), node("b", ["a"]), node("c", ["b"])),
      maxParallel: 4,
      priorities: {},
      context: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = performance.now();
    await scheduler.cancel(runId);
    const states = await scheduler.settled(runId);
    await scheduler.close();
    expect(states).toEqual({ a: "cancelled", b: "cancelled", c: "cancelled" });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(runner.spans).toEqual([]);
  });

  it("reruns only the listed nodes, in dependency order, with their feedback; says when the run settles", async () => {
    const runner = recordingRunner();
    const settledCalls: { states: Record<string, string>; context: unknown; settling: number }[] = [];
    const scheduler = make(runner.runNode, 4, async (_runId, states, context, settling) => {
      settledCalls.push({ states, context, settling });
    });
    const runId = randomUUID().slice(0, 8);
    const p = plan(node("a"), node("b", ["a"]), node("c", ["a"]), node("d", ["b", "c"]));
    await scheduler.start({ runId, plan: p, maxParallel: 4, priorities: {}, context: { spec: 7 } });
    await scheduler.settled(runId);
    await until(() => settledCalls.length === 1);

    expect(await scheduler.rerunUsed(runId, "round-1")).toBe(false);
    expect(await scheduler.rerun(runId, "round-1", { d: null, b: "b returns the wrong total" })).toBe(true);
    expect(await scheduler.rerunUsed(runId, "round-1")).toBe(true);
    expect(await scheduler.rerun(runId, "round-1", { a: "again?" })).toBe(false); // the key was used
    await until(() => settledCalls.length === 2);
    const states = await scheduler.settled(runId);
    await scheduler.close();
    expect(states).toEqual({ a: "done", b: "done", c: "done", d: "done" });
    expect(Object.fromEntries(runner.calls)).toEqual({ a: 1, b: 2, c: 1, d: 2 });
    expect(runner.feedback).toEqual(["b: b returns the wrong total"]);
    const second = runner.spans.filter((s) => s.node === "d")[1] as Span;
    expect(second.start).toBeGreaterThanOrEqual((runner.spans.filter((s) => s.node === "b")[1] as Span).end);
    expect(settledCalls.map((c) => c.context)).toEqual([{ spec: 7 }, { spec: 7 }]);
    expect(settledCalls[1]?.states).toEqual(states);
    // Each settling is told apart, so what is queued on it (the merge) is a job of its own.
    expect(settledCalls.map((c) => c.settling)).toEqual([0, 1]);
  });

  it("retries a failed node and its blocked dependents", async () => {
    const runner = recordingRunner({ throwsTimes: { b: 2 } });
    const scheduler = make(runner.runNode, 4);
    const runId = randomUUID().slice(0, 8);
    await scheduler.start({
      runId,
      plan: plan(node("a"), node("b", ["a"]), node("c", ["b"])),
      maxParallel: 4,
      priorities: {},
      context: null,
    });
    expect(await scheduler.settled(runId)).toEqual({ a: "done", b: "failed", c: "blocked" });
    await scheduler.rerun(runId, "retry-1", { b: null, c: null });
    const states = await scheduler.settled(runId);
    await scheduler.close();
    expect(states).toEqual({ a: "done", b: "done", c: "done" });
    expect(Object.fromEntries(runner.calls)).toEqual({ a: 1, b: 3, c: 1 });
  });
});

async function until(condition: () => boolean) {
  for (let i = 0; i < 300 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error("timed out waiting");
}

describe("Redis scheduler only", () => {
  it("drops a duplicate enqueue of a node: one execution", async () => {
    const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
    const runner = recordingRunner({ latencyMs: { a: 200 } });
    const scheduler = createRedisScheduler({
      connection: redis,
      prefix,
      runNode: runner.runNode,
      concurrency: 4,
    });
    const runId = randomUUID().slice(0, 8);
    await scheduler.start({ runId, plan: plan(node("a")), maxParallel: 4, priorities: {}, context: null });
    const { Queue } = await import("bullmq");
    const queue = new Queue("node", { connection: redis, prefix: `${prefix}:q` });
    await queue.add("node", { runId, nodeId: "a" }, { jobId: `node-${runId}-a` });
    await queue.add("node", { runId, nodeId: "a" }, { jobId: `node-${runId}-a-again` }); // even under another id
    await scheduler.settled(runId);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await queue.close();
    await scheduler.close();
    expect(runner.calls.get("a")).toBe(1);
  });

  it("after Redis loses a run, adopting it does not code a node a second time while it is still being coded", async () => {
    const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
    const runner = recordingRunner({ latencyMs: { a: 1500 } });
    const scheduler = createRedisScheduler({
      connection: redis,
      prefix,
      runNode: runner.runNode,
      concurrency: 2,
      stalledIntervalMs: 200,
    });
    const runId = randomUUID().slice(0, 8);
    const start = {
      runId,
      plan: plan(node("a"), node("b", ["a"])),
      maxParallel: 4,
      priorities: {},
      context: null,
    };
    await scheduler.start(start);
    await new Promise((resolve) => setTimeout(resolve, 300)); // `a` is being coded
    // Redis loses everything of this deployment (a restart without persistence).
    const lost = await redis.keys(`${prefix}*`);
    if (lost.length > 0) await redis.del(...lost);
    expect(await scheduler.knows(runId)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250)); // a beat: the coder's claim is back
    // Taken up from GitHub, where `a` says it is running.
    expect(await scheduler.adopt(start, { a: "running", b: "pending" })).toBe(true);
    expect(await scheduler.settled(runId)).toEqual({ a: "done", b: "done" });
    await scheduler.close();
    expect(runner.calls.get("a")).toBe(1);
    expect(runner.calls.get("b")).toBe(1);
  });

  it("keeps a run's keys under one Redis Cluster hash tag", async () => {
    const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
    const { runId } = await execute(
      () => createRedisScheduler({ connection: redis, prefix, runNode: recordingRunner().runNode }),
      plan(node("a")),
    );
    const found = await redis.keys(`${prefix}:{run-${runId}}:*`);
    expect(found.sort()).toEqual(
      ["dependents", "meta", "priority", "remaining", "state"]
        .map((k) => `${prefix}:{run-${runId}}:${k}`)
        .sort(),
    );
  });
});
