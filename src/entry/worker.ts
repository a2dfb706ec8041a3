import { z } from "zod";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { SwarmError } from "../domain/errors.js";
import { GITHUB_WRITE_LIMITS } from "../forge/github/write-limiter.js";
import { connectModel } from "../model/connect-model.js";
import { readModelEnv } from "../model/read-model-env.js";
import { createRedisLedger } from "../queue/redis-ledger.js";
import { createRedisMetrics } from "../queue/redis-metrics.js";
import { createRedisRunMemo } from "../queue/redis-run-memo.js";
import { createRedisWriteLimiter } from "../queue/redis-write-limiter.js";
import { type RedisWatch, watchRedis } from "../queue/watch-redis.js";
import { createForgeFactory, createTokenSource } from "./forge-factory.js";
import { cachePerRepository } from "./node-runner.js";
import { appId, httpUrl, prefix, readServiceEnv, redisUrl, wholeNumber } from "./read-service-env.js";
import { startJobWorkers } from "./wire-workers.js";

const WorkerEnvSchema = z.object({
  REDIS_URL: redisUrl,
  SWARM_PREFIX: prefix,
  GITHUB_APP_ID: appId,
  GITHUB_PRIVATE_KEY: z.string().optional(),
  GITHUB_PRIVATE_KEY_PATH: z.string().optional(),
  GITHUB_API_URL: httpUrl("GitHub's REST API, such as https://api.github.com (or unset it)").optional(),
  // The worker calls the model: its key is checked now rather than on the first job.
  ANTHROPIC_API_KEY: z.string({
    error: "is not set; set it to an Anthropic API key (or the key of your gateway)",
  }),
  ANTHROPIC_BASE_URL: httpUrl(
    "the Messages API's base URL, such as https://api.anthropic.com (or unset it)",
  ).optional(),
  SWARM_RUNS_DIR: z.string().default(".swarm/runs"),
  SWARM_MIRRORS_DIR: z.string().default(".swarm/mirrors"),
  SWARM_CACHE_DIR: z.string().default(".swarm/cache"),
  SWARM_CONCURRENCY: wholeNumber(1, 64, "the number of jobs this worker runs at once").default(2),
  /** How soon another worker takes up the jobs of one that died (BullMQ's stalled check). */
  SWARM_STALLED_INTERVAL_MS: wholeNumber(100, 3_600_000, "milliseconds, such as 30000").default(30_000),
  /** How often live runs are checked against GitHub, to take up one whose Redis state was lost. */
  SWARM_SWEEP_INTERVAL_MS: wholeNumber(100, 3_600_000, "milliseconds, such as 60000").default(60_000),
});

/** The environment of `swarm worker`, checked at start-up: each missing or malformed variable is named with its fix. */
export function readWorkerEnv(env: Readonly<Record<string, string | undefined>>) {
  return readServiceEnv(
    "swarm worker",
    WorkerEnvSchema,
    env,
    { inline: "GITHUB_PRIVATE_KEY", path: "GITHUB_PRIVATE_KEY_PATH" },
    modelEnvProblems,
  );
}

/** The model settings the jobs read later (timeouts, attempts), checked now too. */
function modelEnvProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  try {
    readModelEnv(env);
    return [];
  } catch (error) {
    if (!(error instanceof SwarmError)) throw error;
    return error.details.map((d) => `${d.split(":")[0]} is malformed; ${error.fix}`);
  }
}

/**
 * `swarm worker`: serves the plan, command, node, integrate and review queues of one Redis. Run as many as you
 * like, on as many machines. `stop` lets the jobs in hand finish first; `abandon` leaves them to another worker.
 */
export async function startWorkers(
  env: Readonly<Record<string, string | undefined>>,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<{ stop(): Promise<void>; abandon(): void; redis: RedisWatch }> {
  const e = readWorkerEnv(env);
  const github = {
    appId: e.GITHUB_APP_ID,
    privateKey: e.privateKey,
    ...(e.GITHUB_API_URL ? { baseUrl: e.GITHUB_API_URL } : {}),
  };
  const redis = watchRedis(e.REDIS_URL, (line) => say(`swarm worker: ${line}`));
  const connection = redis.connect();
  // Summed in Redis for `swarm server`'s /metrics; a metric that cannot be written never fails a job.
  const metrics = createRedisMetrics(connection, e.SWARM_PREFIX);
  const quietly = (write: Promise<void>) => void write.catch(() => undefined);
  const forgeFor = createForgeFactory({
    ...github,
    // GitHub limits an installation's content-creating requests, whichever worker makes them.
    writeLimiterFor: (installationId) =>
      createRedisWriteLimiter(connection, e.SWARM_PREFIX, installationId, { windows: GITHUB_WRITE_LIMITS }),
    // What swarm wrote to GitHub, so the stages of a run read it from Redis rather than from GitHub.
    memoFor: (installationId, owner, repo) =>
      createRedisRunMemo(connection, e.SWARM_PREFIX, installationId, owner, repo),
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
    connect: () => redis.connect(),
    onQueueError: (error) => redis.queueError(error),
    prefix: e.SWARM_PREFIX,
    concurrency: e.SWARM_CONCURRENCY,
    stalledIntervalMs: e.SWARM_STALLED_INTERVAL_MS,
    sweepIntervalMs: e.SWARM_SWEEP_INTERVAL_MS,
    log: say,
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
    redis,
    async stop() {
      await workers.stop();
      connection.disconnect();
    },
    abandon() {
      workers.abandon();
      connection.disconnect();
    },
  };
}
