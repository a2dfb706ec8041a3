// npm run bench:schedule — the scheduler against the critical-path bound: each node "calls the model" a
// fixed latency per call (S = 1 call, M = 2, L = 4), so everything beyond that is scheduling. Both schedulers,
// side by side, with workers >= the DAG's width. Overhead per node = start − (when its last dependency ended).
import { randomUUID } from "node:crypto";
import { criticalPath } from "../src/domain/dag/critical-path.js";
import { type Plan, SIZE_WEIGHTS } from "../src/domain/plan/plan.js";
import type { NodeRunner, Scheduler } from "../src/pipeline/scheduler.js";
import { createInProcessScheduler } from "../src/queue/in-process-scheduler.js";
import { createRedis } from "../src/queue/redis.js";
import { createRedisScheduler } from "../src/queue/redis-scheduler.js";
import { node, plan } from "../test/support/plans.js";

const CALL_MS = Number(process.env.CALL_MS ?? 50);
let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const sizes = ["S", "M", "L"] as const;
const dags: [string, Plan][] = [
  [
    "chain (8)",
    plan(
      ...Array.from({ length: 8 }, (_, i) =>
        node(`c${i}`, i ? [`c${i - 1}`] : [], [`src/c${i}.ts`], { size: "M" }),
      ),
    ),
  ],
  [
    "diamond (1-6-1)",
    plan(
      node("top"),
      ...Array.from({ length: 6 }, (_, i) =>
        node(`mid${i}`, ["top"], [`src/m${i}.ts`], { size: sizes[i % 3] }),
      ),
      node(
        "bottom",
        Array.from({ length: 6 }, (_, i) => `mid${i}`),
      ),
    ),
  ],
  [
    "wide (12)",
    plan(
      ...Array.from({ length: 12 }, (_, i) => node(`w${i}`, [], [`src/w${i}.ts`], { size: sizes[i % 3] })),
    ),
  ],
  [
    "random (30)",
    plan(
      ...Array.from({ length: 30 }, (_, i) =>
        node(
          `r${i}`,
          Array.from({ length: i }, (_, j) => `r${j}`).filter(() => random() < 0.08),
          [`src/r${i}.ts`],
          { size: sizes[Math.floor(random() * 3)] },
        ),
      ),
    ),
  ],
];

type Result = { makespan: number; bound: number; serial: number; overheads: number[] };

async function measure(make: (runNode: NodeRunner) => Scheduler, p: Plan): Promise<Result> {
  const cost = Object.fromEntries(p.nodes.map((n) => [n.id, SIZE_WEIGHTS[n.size] * CALL_MS]));
  const ends = new Map<string, number>();
  const starts = new Map<string, number>();
  const scheduler = make(async ({ node: n }) => {
    starts.set(n.id, performance.now());
    await new Promise((resolve) => setTimeout(resolve, cost[n.id]));
    ends.set(n.id, performance.now());
    return "done";
  });
  const runId = randomUUID().slice(0, 8);
  const began = performance.now();
  await scheduler.start({
    runId,
    plan: p,
    maxParallel: p.nodes.length,
    priorities: criticalPath(p, cost).tail,
    context: null,
  });
  await scheduler.settled(runId);
  const finished = Math.max(...ends.values());
  await scheduler.close();
  const overheads = p.nodes.map(
    (n) =>
      (starts.get(n.id) ?? 0) -
      (n.dependsOn.length ? Math.max(...n.dependsOn.map((d) => ends.get(d) ?? 0)) : began),
  );
  return {
    makespan: finished - began,
    bound: criticalPath(p, cost).length,
    serial: Object.values(cost).reduce((a, b) => a + b, 0),
    overheads,
  };
}

const redis = createRedis();
const kinds: [string, (runNode: NodeRunner, width: number) => Scheduler][] = [
  ["in-process", (runNode, width) => createInProcessScheduler({ runNode, concurrency: width })],
  [
    "redis",
    (runNode, width) =>
      createRedisScheduler({
        connection: redis,
        prefix: `swarm-bench-${randomUUID().slice(0, 8)}`,
        runNode,
        concurrency: width,
      }),
  ],
];
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

console.log(
  `scheduling: ${CALL_MS} ms per model call (S=1, M=2, L=4 calls), workers = nodes (>= width), both schedulers per DAG`,
);
console.log(
  "dag               scheduler    nodes  bound ms  makespan ms  ratio  speedup  overhead/node p50  p95",
);
const figures: Record<string, number | string> = { bench: "schedule", call_ms: CALL_MS };
let worstRatio = 0;
let worstOverhead = 0;
for (const [name, p] of dags) {
  for (const [kind, make] of kinds) {
    const r = await measure((runNode) => make(runNode, p.nodes.length), p);
    const ratio = r.makespan / r.bound;
    worstRatio = Math.max(worstRatio, ratio);
    worstOverhead = Math.max(worstOverhead, pct(r.overheads, 50));
    console.log(
      `${name.padEnd(17)} ${kind.padEnd(11)} ${String(p.nodes.length).padStart(5)} ${r.bound.toFixed(0).padStart(9)} ${r.makespan.toFixed(0).padStart(12)} ${ratio.toFixed(3).padStart(6)} ${(r.serial / r.makespan).toFixed(2).padStart(7)}× ${pct(r.overheads, 50).toFixed(2).padStart(17)} ${pct(r.overheads, 95).toFixed(2).padStart(5)}`,
    );
    const key = `${name.split(" ")[0]}_${kind.replace("-", "_")}`;
    figures[`${key}_ratio`] = Number(ratio.toFixed(3));
    figures[`${key}_speedup`] = Number((r.serial / r.makespan).toFixed(2));
    figures[`${key}_overhead_ms_p50`] = Number(pct(r.overheads, 50).toFixed(2));
  }
}
await redis.quit();
figures.worst_ratio = Number(worstRatio.toFixed(3));
figures.worst_overhead_ms_p50 = Number(worstOverhead.toFixed(2));
console.log(JSON.stringify(figures));
