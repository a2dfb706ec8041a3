import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { indexPlan } from "../domain/dag/index-plan.js";
import { type Plan, PlanSchema } from "../domain/plan/plan.js";
import type { NodeStatus } from "../domain/state/node-status.js";
import { jobId } from "../pipeline/jobs.js";
import {
  type NodeEvent,
  type NodeOutcome,
  type NodeRunner,
  type OnSettled,
  type Scheduler,
  TERMINAL,
} from "../pipeline/scheduler.js";
import {
  ADOPT,
  BEAT,
  CANCEL,
  CLAIM,
  DISPATCH_ONLY,
  FINISH,
  RELEASE_CLAIM,
  RERUN,
  START,
} from "./scheduler-scripts.js";

export type RedisSchedulerOptions = {
  connection: Redis;
  /** Deployment prefix; the run's own keys add a {run-<id>} hash tag. */
  prefix?: string;
  /** Without a runner this process only starts and watches runs; with one it also codes nodes. */
  runNode?: NodeRunner;
  /** Nodes this process codes at once. */
  concurrency?: number;
  attempts?: number;
  /** How soon a job whose worker died is taken up again (BullMQ's stalled check). */
  stalledIntervalMs?: number;
  onEvent?: (event: NodeEvent) => void;
  /** Called by the process that finished a run's last node (keep it short: it should queue the next step). */
  onSettled?: OnSettled;
  /** Told of the node queue's and worker's `error` events (a lost connection, mostly). */
  onError?: (error: unknown) => void;
};

/**
 * The scheduler over Redis: per-run node state in hashes changed only by Lua scripts (atomic), and one BullMQ
 * job per dispatched node, with a deterministic id, so a duplicate enqueue is dropped. Any number of worker
 * processes can serve one Redis; a job whose worker was killed is taken up by another.
 */
export function createRedisScheduler(options: RedisSchedulerOptions): Scheduler {
  const redis = options.connection;
  const prefix = options.prefix ?? "swarm";
  const attempts = options.attempts ?? 2;
  const keys = (runId: string) =>
    ["state", "remaining", "dependents", "ready", "meta", "priority"].map(
      (k) => `${prefix}:{run-${runId}}:${k}`,
    );
  const queue = new Queue("node", { connection: redis, prefix: `${prefix}:q` });
  const onError = options.onError ?? (() => undefined);
  queue.on("error", onError);
  const emit = (runId: string, nodeId: string, status: NodeStatus) =>
    options.onEvent?.({ runId, nodeId, status, at: Date.now() });

  // A rerun starts a new generation, so a node's job id is new each time it runs again.
  const nodeJobId = async (runId: string, nodeId: string, gen?: string | null) =>
    jobId("node", runId, nodeId, `g${gen ?? (await redis.hget(keys(runId)[4] as string, "gen")) ?? "0"}`);

  // One round trip for all the nodes a finish released, so a wide DAG's nodes start together.
  const enqueue = async (runId: string, nodes: readonly string[]) => {
    if (nodes.length === 0) return;
    for (const nodeId of nodes) emit(runId, nodeId, "running");
    const gen = (await redis.hget(keys(runId)[4] as string, "gen")) ?? "0";
    const ids = await Promise.all(nodes.map((nodeId) => nodeJobId(runId, nodeId, gen)));
    const opts = {
      attempts,
      backoff: { type: "exponential" as const, delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { count: 1000 },
    };
    await queue.addBulk(
      nodes.map((nodeId, i) => ({
        name: "node",
        data: { runId, nodeId },
        opts: { ...opts, jobId: ids[i] as string },
      })),
    );
  };

  const finish = async (runId: string, nodeId: string, outcome: NodeOutcome) => {
    const [dispatch, blocked, settled, gen] = (await redis.eval(
      FINISH,
      6,
      ...keys(runId),
      nodeId,
      outcome,
    )) as [string[], string[], number, number];
    emit(runId, nodeId, outcome);
    for (const b of blocked) emit(runId, b, "blocked");
    await enqueue(runId, dispatch);
    if (settled === 1 && options.onSettled) {
      const context = await redis.hget(keys(runId)[4] as string, "context");
      await options.onSettled(runId, await states(runId), JSON.parse(context ?? "null"), gen);
    }
  };

  // One coder per node. A claim names its holder (this process and the job) and when it last beat; the
  // holder writes it again every beat while it codes, so a claim goes stale only when its process died.
  // After Redis is lost, the claims of nodes still being coded are back within a beat, and a run taken up
  // from GitHub waits for them instead of coding those nodes a second time.
  const token = randomUUID().slice(0, 8);
  const beatMs = Math.max(100, (options.stalledIntervalMs ?? 30_000) / 2);
  const staleMs = beatMs * 4;
  const inHand = new Map<string, { runId: string; nodeId: string; holder: string }>();
  const claimsKey = (runId: string) => `${prefix}:{run-${runId}}:claims`;
  const beat = setInterval(() => {
    for (const c of inHand.values())
      void redis.eval(BEAT, 1, claimsKey(c.runId), c.nodeId, c.holder).catch(() => undefined);
  }, beatMs);
  beat.unref();
  const claim = async (runId: string, nodeId: string, holder: string) =>
    (await redis.eval(
      CLAIM,
      2,
      claimsKey(runId),
      keys(runId)[4] as string,
      nodeId,
      holder,
      String(staleMs),
      String(beatMs * 2),
    )) === 1;
  const release = (runId: string, nodeId: string, holder: string) =>
    redis.eval(RELEASE_CLAIM, 1, claimsKey(runId), nodeId, holder);

  const states = async (runId: string): Promise<Record<string, NodeStatus>> =>
    (await redis.hgetall(keys(runId)[0] as string)) as Record<string, NodeStatus>;

  // BullMQ's worker blocks on its own connection, which it does not close: close() does.
  const workerConnection = redis.duplicate();
  workerConnection.on("error", onError);
  const worker = options.runNode
    ? new Worker(
        "node",
        async (job) => {
          const { runId, nodeId } = job.data as { runId: string; nodeId: string };
          const [stateKey, , , , metaKey] = keys(runId) as [string, string, string, string, string];
          const running = async () => (await redis.hget(stateKey, nodeId)) === "running";
          // A duplicate, or a node cancelled before it started: nothing to do.
          if (!(await running())) return "skipped";
          // Held by a live coder: wait until it lets go (or dies), then code it only if it is not done.
          // Unique to this run of the job: after Redis is lost, a new job can have the same id as the
          // one still in hand here.
          const holder = `${token}:${job.id}:${randomUUID().slice(0, 8)}`;
          while (!(await claim(runId, nodeId, holder))) {
            await new Promise((resolve) => setTimeout(resolve, beatMs));
            if (!(await running())) return "skipped";
          }
          const hand = `${runId}/${nodeId}`;
          inHand.set(hand, { runId, nodeId, holder });
          let outcome: NodeOutcome;
          try {
            const [planJson, contextJson, feedback, adopted] = await redis.hmget(
              metaKey,
              "plan",
              "context",
              `feedback:${nodeId}`,
              `adopted:${nodeId}`,
            );
            const plan: Plan = PlanSchema.parse(JSON.parse(planJson ?? "null"));
            const node = plan.nodes.find((n) => n.id === nodeId);
            if (!node) throw new Error(`run ${runId} has no node ${nodeId}`);
            outcome = await (options.runNode as NodeRunner)({
              runId,
              node,
              context: JSON.parse(contextJson ?? "null"),
              isCancelled: async () => (await redis.hget(metaKey, "cancelled")) === "1",
              attempt: job.attemptsMade,
              ...(adopted ? { adopted: true } : {}),
              ...(feedback ? { revision: { feedback } } : {}),
            });
          } catch (error) {
            outcome = "failed";
            if (job.attemptsMade + 1 < attempts) {
              inHand.delete(hand);
              await release(runId, nodeId, holder);
              throw error; // BullMQ tries again
            }
          }
          // Finished before the claim goes, so a duplicate job never finds the node both running and free.
          try {
            await finish(runId, nodeId, outcome);
          } finally {
            inHand.delete(hand);
            await release(runId, nodeId, holder);
          }
          return outcome;
        },
        {
          connection: workerConnection,
          prefix: `${prefix}:q`,
          concurrency: options.concurrency ?? 2,
          stalledInterval: options.stalledIntervalMs ?? 30_000,
          // A dead worker's lock lapses after this; the stalled check then hands its job to another worker.
          lockDuration: (options.stalledIntervalMs ?? 30_000) * 2,

          maxStalledCount: 10,
        },
      )
    : undefined;
  worker?.on("error", onError);

  return {
    async start(run) {
      const graph = indexPlan(run.plan);
      const args = graph.ids.flatMap((id) => [
        id,
        String(graph.dependencies.get(id)?.length ?? 0),
        (graph.dependents.get(id) ?? []).join(","),
        String(run.priorities[id] ?? 0),
      ]);
      const dispatch = (await redis.eval(
        START,
        6,
        ...keys(run.runId),
        String(run.maxParallel),
        JSON.stringify(run.plan),
        JSON.stringify(run.context ?? null),
        ...args,
      )) as string[];
      // A second start of a run dispatches nothing new, but re-adds jobs that a crash may have lost.
      const again =
        dispatch.length > 0
          ? dispatch
          : Object.entries(await states(run.runId))
              .filter(([, s]) => s === "running")
              .map(([id]) => id);
      await enqueue(run.runId, again);
      await enqueue(run.runId, (await redis.eval(DISPATCH_ONLY, 6, ...keys(run.runId))) as string[]);
    },
    async adopt(run, known, feedback = {}) {
      const graph = indexPlan(run.plan);
      const args = graph.ids.flatMap((id) => [
        id,
        known[id] ?? "pending",
        (graph.dependencies.get(id) ?? []).join(","),
        (graph.dependents.get(id) ?? []).join(","),
        String(run.priorities[id] ?? 0),
        feedback[id] ?? "",
      ]);
      const [fresh, dispatch] = (await redis.eval(
        ADOPT,
        6,
        ...keys(run.runId),
        String(run.maxParallel),
        JSON.stringify(run.plan),
        JSON.stringify(run.context ?? null),
        ...args,
      )) as [number, string[]];
      await enqueue(run.runId, dispatch);
      return fresh === 1;
    },
    async knows(runId) {
      return (await redis.hexists(keys(runId)[4] as string, "max")) === 1;
    },
    states,
    async cancel(runId) {
      const running = (await redis.eval(CANCEL, 6, ...keys(runId))) as string[];
      for (const nodeId of running) {
        // Not started yet: remove the job and cancel the node. Started: it stops at its next turn.
        const job = await queue.getJob(await nodeJobId(runId, nodeId));
        if (job && (await job.isWaiting())) {
          await job.remove();
          await finish(runId, nodeId, "cancelled");
        }
      }
    },
    async rerunUsed(runId, key) {
      return (await redis.hexists(keys(runId)[4] as string, `rerun:${key}`)) === 1;
    },
    async rerun(runId, key, nodes) {
      const args = Object.entries(nodes).flatMap(([id, feedback]) => [id, feedback ?? ""]);
      const [fresh, dispatch] = (await redis.eval(RERUN, 6, ...keys(runId), key, ...args)) as [
        number,
        string[],
      ];
      if (fresh === -1)
        throw new Error(`run ${runId} is not held by the scheduler: adopt it (from the forge) first`);
      await enqueue(runId, dispatch);
      return fresh === 1;
    },
    async settled(runId) {
      for (;;) {
        const s = await states(runId);
        if (Object.keys(s).length > 0 && Object.values(s).every((v) => TERMINAL.includes(v))) return s;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      clearInterval(beat);
      await worker?.close();
      await queue.close();
      workerConnection.disconnect();
    },
  };
}
