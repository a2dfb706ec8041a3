import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { recordSettled } from "../pipeline/code/record-settled.js";
import { type CommandOutcome, handleCommand } from "../pipeline/commands/handle-command.js";
import type { IntegrateOutcome } from "../pipeline/integrate/integrate-run.js";
import { type CommandJob, type IntegrateJob, jobId, type PlanJob, type ReviewJob } from "../pipeline/jobs.js";
import type { PlanOutcome } from "../pipeline/plan/plan-spec.js";
import type { ReviewOutcome } from "../pipeline/review/review-checks.js";
import { createBullmqJobQueue, startWorker } from "../queue/bullmq-job-queue.js";
import { createRedisScheduler } from "../queue/redis-scheduler.js";
import { planContext } from "./code-context.js";
import { createIntegrateProcessor } from "./integrate-processor.js";
import { createNodeRunner, type NodeRunContext, type NodeRunnerOptions } from "./node-runner.js";
import { createPlanProcessor } from "./plan-processor.js";
import { createReviewProcessor, reviewServices } from "./review-processor.js";
import { integrateJobOf, reintegrateJobOf, startRunWith } from "./start-run.js";

export type WorkerWiring = {
  /** A new Redis connection (BullMQ workers block on theirs, so each gets its own). */
  connect: () => Redis;
  prefix: string;
  concurrency: number;
  stalledIntervalMs?: number;
  services: NodeRunnerOptions;
  /** Planned runs are coded (true in production; planning tests may stop at the plan). */
  execute?: boolean;
  dashboardWaitMs?: number;
  /** Told how long each job took (for /metrics). */
  timeJob?: (queue: string, seconds: number, outcome: "ok" | "error") => void;
  /** Tests watch what each job decided. */
  observe?: {
    plan?: (o: PlanOutcome) => void;
    command?: (o: CommandOutcome) => void;
    review?: (o: ReviewOutcome) => void;
    integrate?: (o: IntegrateOutcome) => void;
  };
};

/**
 * Every queue of swarm served by this process: plan, command, node (through the scheduler), integrate and
 * review. When a run's last node finishes, an integrate job is queued; when checks finish, a review job is.
 */
export function startJobWorkers(w: WorkerWiring) {
  const timed =
    <T, O>(queue: string, process: (job: T) => Promise<O>) =>
    async (job: T): Promise<O> => {
      const started = performance.now();
      let outcome: "ok" | "error" = "error";
      try {
        const result = await process(job);
        outcome = "ok";
        return result;
      } finally {
        w.timeJob?.(queue, (performance.now() - started) / 1000, outcome);
      }
    };
  // BullMQ leaves the connections it is given open on close, so they are kept here to close.
  const opened: Redis[] = [];
  const connect = () => {
    const c = w.connect();
    opened.push(c);
    return c;
  };
  const connection = connect();
  const queue = createBullmqJobQueue(connection, w.prefix);
  const scheduler = createRedisScheduler({
    connection: connect(),
    prefix: w.prefix,
    concurrency: w.concurrency,
    ...(w.stalledIntervalMs ? { stalledIntervalMs: w.stalledIntervalMs } : {}),
    ...(w.execute === false ? {} : { runNode: timed("node", createNodeRunner(w.services)) }),
    onSettled: async (runId, _states, context) => {
      const ctx = context as NodeRunContext;
      await queue.add({
        queue: "integrate",
        id: jobId("integrate", ctx.repo.owner, ctx.repo.name, runId),
        data: integrateJobOf(runId, ctx),
      });
      // Queued first: the merge itself checks that every node is done. Then the forge is brought in line
      // with the scheduler; best effort, since a failure here must not fail the node job that settled it.
      await recordSettled(
        w.services.forgeFor(ctx.installationId, ctx.repo.owner, ctx.repo.name),
        { ...ctx, spec: ctx.spec.number },
        () => scheduler.states(runId),
        (await w.services.readLedger?.(runId)) ?? null,
      ).catch(() => undefined);
    },
  });
  const rerun = (runId: string, key: string, nodes: Readonly<Record<string, string | null>>) =>
    scheduler.rerun(runId, key, nodes);
  const plan = createPlanProcessor({
    forgeFor: w.services.forgeFor,
    runsDir: w.services.runsDir,
    model: w.services.model,
    ...(w.dashboardWaitMs === undefined ? {} : { dashboardWaitMs: w.dashboardWaitMs }),
    ...(w.execute === false ? {} : { scheduleNodes: startRunWith(scheduler) }),
    codeContext: (job) => planContext(w.services, job.installationId, job.repo.owner, job.repo.name),
  });
  const integrate = createIntegrateProcessor(w.services);
  const reviewCommit = createReviewProcessor({ ...w.services, rerun });
  // Each check that finishes queues a review job, so several may arrive for one commit at once: they take
  // turns, and the first to find every check complete reviews it; the others then find it reviewed.
  const review = async (job: ReviewJob) => {
    const lock = `${w.prefix}:review-lock:${job.repo.owner}/${job.repo.name}:${job.headSha}`;
    const holder = randomUUID();
    while ((await connection.set(lock, holder, "PX", 300_000, "NX")) !== "OK")
      await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      return await reviewCommit(job);
    } finally {
      if ((await connection.get(lock)) === holder) await connection.del(lock);
    }
  };
  const observed = <T, O>(queue: string, process: (job: T) => Promise<O>, watch?: (o: O) => void) =>
    timed(queue, async (job: T) => {
      const outcome = await process(job);
      watch?.(outcome);
      return outcome;
    });
  const options = { prefix: w.prefix, concurrency: w.concurrency };
  const workers = [
    startWorker<PlanJob>("plan", observed("plan", plan, w.observe?.plan), {
      connection: connect(),
      ...options,
    }),
    startWorker<CommandJob>(
      "command",
      observed(
        "command",
        (job: CommandJob) => {
          const { forge, ...revise } = reviewServices(
            w.services,
            job.installationId,
            job.repo.owner,
            job.repo.name,
          );
          return handleCommand(job, forge, {
            cancelRun: (runId) => scheduler.cancel(runId),
            rerun,
            revise,
            reintegrate: async (run) =>
              queue.add({
                queue: "integrate",
                id: jobId("integrate", job.repo.owner, job.repo.name, run.runId, "retry", job.commentId),
                data: await reintegrateJobOf(forge, job.installationId, job.repo, run),
              }),
          });
        },
        w.observe?.command,
      ),
      { connection: connect(), ...options },
    ),
    startWorker<IntegrateJob>("integrate", observed("integrate", integrate, w.observe?.integrate), {
      connection: connect(),
      ...options,
    }),
    startWorker<ReviewJob>("review", observed("review", review, w.observe?.review), {
      connection: connect(),
      ...options,
    }),
  ];
  return {
    queue,
    scheduler,
    async stop() {
      await Promise.all(workers.map((worker) => worker.close()));
      await scheduler.close();
      await queue.close();
      for (const c of opened) c.disconnect();
    },
  };
}
