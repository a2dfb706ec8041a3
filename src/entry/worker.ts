import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { connectModel } from "../model/connect-model.js";
import { createRedis } from "../queue/redis.js";
import { createRedisLedger } from "../queue/redis-ledger.js";
import { createRedisMetrics } from "../queue/redis-metrics.js";
import { createForgeFactory, createTokenSource } from "./forge-factory.js";
import { cachePerRepository } from "./node-runner.js";
import { startJobWorkers } from "./wire-workers.js";

const WorkerEnvSchema = z
  .object({
    REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
    SWARM_PREFIX: z
      .string()
      .regex(/^[\w{}-]+$/)
      .default("swarm"),
    GITHUB_APP_ID: z.coerce.number({ error: "set it to the GitHub App's id (a number)" }).int().positive(),

    GITHUB_PRIVATE_KEY: z.string().optional(),
    GITHUB_PRIVATE_KEY_PATH: z.string().optional(),
    GITHUB_API_URL: z.url().optional(),
    SWARM_RUNS_DIR: z.string().default(".swarm/runs"),
    SWARM_MIRRORS_DIR: z.string().default(".swarm/mirrors"),
    SWARM_CACHE_DIR: z.string().default(".swarm/cache"),
    SWARM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** How soon another worker takes up the jobs of one that died (BullMQ's stalled check). */
    SWARM_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
    /** How often live runs are checked against GitHub, to take up one whose Redis state was lost. */
    SWARM_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  })
  .refine((e) => e.GITHUB_PRIVATE_KEY || e.GITHUB_PRIVATE_KEY_PATH, {
    message: "set GITHUB_PRIVATE_KEY (PEM) or GITHUB_PRIVATE_KEY_PATH",
    path: ["GITHUB_PRIVATE_KEY"],
  });

export class WorkerEnvError extends Error {}

/** The environment of `swarm worker`, checked at start-up: a missing or malformed variable is named. */
export function readWorkerEnv(env: Readonly<Record<string, string | undefined>>) {
  const parsed = WorkerEnvSchema.safeParse(env);
  const missingKey = !env.GITHUB_PRIVATE_KEY && !env.GITHUB_PRIVATE_KEY_PATH;
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    // zod checks the key only once the rest parses; name it now too, so one start-up lists everything.
    if (missingKey && !lines.some((l) => l.includes("GITHUB_PRIVATE_KEY")))
      lines.push("  GITHUB_PRIVATE_KEY: set GITHUB_PRIVATE_KEY (PEM) or GITHUB_PRIVATE_KEY_PATH");
    throw new WorkerEnvError(
      `swarm worker cannot start; fix these environment variables:\n${lines.join("\n")}`,
    );
  }
  const e = parsed.data;
  const privateKey = e.GITHUB_PRIVATE_KEY ?? readFileSync(resolve(e.GITHUB_PRIVATE_KEY_PATH ?? ""), "utf8");
  return { ...e, privateKey };
}

/**
 * `swarm worker`: serves the plan, command, node, integrate and review queues of one Redis. Run as many as you like, on as many
 * machines; SIGTERM lets the jobs in hand finish first.
 */
export async function startWorkers(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ stop(): Promise<void> }> {
  const e = readWorkerEnv(env);
  const github = {
    appId: e.GITHUB_APP_ID,
    privateKey: e.privateKey,
    ...(e.GITHUB_API_URL ? { baseUrl: e.GITHUB_API_URL } : {}),
  };
  const connection = createRedis(e.REDIS_URL);
  // Summed in Redis for `swarm server`'s /metrics; a metric that cannot be written never fails a job.
  const metrics = createRedisMetrics(connection, e.SWARM_PREFIX);
  const quietly = (write: Promise<void>) => void write.catch(() => undefined);
  const forgeFor = createForgeFactory({
    ...github,
    onRateLimit: (installation, remaining, limit) =>
      quietly(metrics.rateLimit(installation, remaining, limit)),
  });
  // One ledger per run in Redis: every worker's calls count toward the run's budget and its dashboard.
  const model = (config: RepoConfig, runId: string, runDir: string) =>
    connectModel({
      env,
      config,
      runId,
      runDir,
      ledger: createRedisLedger(connection, e.SWARM_PREFIX, runId, config.prices),
      onCall: (line) => {
        if (line.usage) quietly(metrics.modelCall(line.role, line.model, line.usage, line.costUsd));
      },
    });
  const readLedger = (runId: string) => createRedisLedger(connection, e.SWARM_PREFIX, runId, {}).read();
  const tokenFor = createTokenSource(github);
  const workers = startJobWorkers({
    connect: () => createRedis(e.REDIS_URL),
    prefix: e.SWARM_PREFIX,
    concurrency: e.SWARM_CONCURRENCY,
    stalledIntervalMs: e.SWARM_STALLED_INTERVAL_MS,
    sweepIntervalMs: e.SWARM_SWEEP_INTERVAL_MS,
    log: (line) => process.stderr.write(`${line}\n`),
    timeJob: (queue, seconds, outcome) => quietly(metrics.job(queue, seconds, outcome)),
    services: {
      forgeFor,
      tokenFor,
      model,
      runsDir: e.SWARM_RUNS_DIR,
      mirrorsDir: e.SWARM_MIRRORS_DIR,
      cacheFor: cachePerRepository(e.SWARM_CACHE_DIR),
      readLedger,
    },
  });
  return {
    async stop() {
      await workers.stop();
      connection.disconnect();
    },
  };
}
