import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import {
  CommandJobSchema,
  IntegrateJobSchema,
  type JobQueue,
  PlanJobSchema,
  type QueueName,
  ReviewJobSchema,
} from "../pipeline/jobs.js";

const SCHEMAS: Record<QueueName, z.ZodType> = {
  plan: PlanJobSchema,
  command: CommandJobSchema,
  review: ReviewJobSchema,
  integrate: IntegrateJobSchema,
};

/**
 * Queues on BullMQ. Job ids are deterministic: adding an id that is waiting or running adds nothing, and ids
 * are freed on completion so a later request is a new job (the stage itself then sees the live run).
 * The prefix names the deployment; wrap it in braces ({swarm}) to keep a queue's keys in one Redis Cluster slot.
 */
export function createBullmqJobQueue(
  connection: Redis,
  prefix = "{swarm}",
  /** Told of the queues' `error` events (a lost connection); without a listener BullMQ prints each one. */
  onError: (error: unknown) => void = () => undefined,
) {
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      q.on("error", onError);
      queues.set(name, q);
    }
    return q;
  };
  const jobQueue: JobQueue & { queue: typeof queue; close(): Promise<void> } = {
    async add(job) {
      SCHEMAS[job.queue].parse(job.data);
      await queue(job.queue).add(job.queue, job.data, {
        jobId: job.id,
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
        attempts: 3,
        backoff: { type: "exponential", delay: 5000 },
        ...(job.delayMs ? { delay: job.delayMs } : {}),
      });
    },
    queue,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
  return jobQueue;
}

/** A worker for one queue whose jobs are checked against their schema before `process` sees them. */
export function startWorker<T>(
  name: QueueName,
  process: (data: T, job: { id: string; attemptsMade: number }) => Promise<unknown>,
  options: {
    connection: Redis;
    prefix?: string;
    concurrency?: number;
    stalledIntervalMs?: number;
    /** Told of the worker's `error` events (a lost connection); without a listener BullMQ prints each one. */
    onError?: (error: unknown) => void;
  },
): Worker {
  const stalled = options.stalledIntervalMs ?? 30_000;
  const worker = new Worker(
    name,
    async (job) =>
      process(SCHEMAS[name].parse(job.data) as T, { id: job.id ?? "", attemptsMade: job.attemptsMade }),
    {
      connection: options.connection,
      prefix: options.prefix ?? "{swarm}",
      concurrency: options.concurrency ?? 4,
      // A dead worker's job is taken up by another within about twice this (its lock lapses, then a check).
      stalledInterval: stalled,
      lockDuration: stalled * 2,
      // A stall is a worker that died (a deploy, a kill), not a bad job: take it up again, within reason.
      maxStalledCount: 10,
    },
  );
  worker.on("error", options.onError ?? (() => undefined));
  return worker;
}
