import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import type { RepoConfig } from "../../src/domain/config/repo-config.js";
import { swarmApp } from "../../src/entry/app.js";
import { deliveryNotes } from "../../src/entry/delivery-notes.js";
import { createForgeFactory, createTokenSource } from "../../src/entry/forge-factory.js";
import { startJobWorkers } from "../../src/entry/wire-workers.js";
import { createAnthropicTransport } from "../../src/model/anthropic-transport.js";
import { createModelClient } from "../../src/model/model-client.js";
import { createFileTraceSink } from "../../src/model/trace/file-trace-sink.js";
import type { CommandOutcome } from "../../src/pipeline/commands/handle-command.js";
import type { IntegrateOutcome } from "../../src/pipeline/integrate/integrate-run.js";
import type { PlanOutcome } from "../../src/pipeline/plan/plan-spec.js";
import type { ReviewOutcome } from "../../src/pipeline/review/review-checks.js";
import { createBullmqJobQueue } from "../../src/queue/bullmq-job-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisLedger } from "../../src/queue/redis-ledger.js";
import { createRedisRunMemo } from "../../src/queue/redis-run-memo.js";
import { createRedisWriteLimiter } from "../../src/queue/redis-write-limiter.js";
import type { ScriptedModel } from "./fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "./fake-anthropic/server.js";
import { type FakeGitHub, startFakeGitHub } from "./fake-github/server.js";
import { requireRedis } from "./require-redis.js";

const SECRET = "planning-webhook-secret";

/**
 * Everything of the planning half, for real but for the network edges: the Probot app receiving the fake
 * GitHub's signed webhooks, BullMQ on the real Redis (a prefix per rig), a plan worker, and the fake
 * Messages API playing the planner.
 */
// GitHub's 80 content-creating requests a minute, with the window shrunk so the suite stays fast: the fake
// enforces it and the worker's shared limiter keeps to it.
const WRITE_WINDOW = { max: 80, windowMs: 2000 };

export type PlanningRigOptions = {
  execute?: boolean;
  /** Workers serving the queues, each as a process would be: its own forges, limiter and connections. */
  workers?: number;
  /** The content-creating limit, enforced by the fake and kept to by the workers. */
  writeWindow?: { max: number; windowMs: number };
  /** The workers share one write limiter per installation through Redis, as `swarm worker` does. */
  sharedWriteLimits?: boolean;
  /** Milliseconds per second of a retry-after (1 by default: tests do not wait GitHub's seconds). */
  retryAfterBaseValue?: number;
  /** How long the plan stage gathers dashboard changes before writing them (20 ms; swarm's default is 1.5 s). */
  dashboardWaitMs?: number;
};

export async function startPlanningRig(planner: ScriptedModel, options: PlanningRigOptions = {}) {
  await requireRedis();
  const writeWindow = options.writeWindow ?? WRITE_WINDOW;
  const github: FakeGitHub = await startFakeGitHub({ contentLimit: writeWindow });
  const anthropic: FakeAnthropic = await startFakeAnthropic({ model: planner });
  const redis = createRedis();
  const prefix = `{swarm-test-${randomUUID().slice(0, 8)}}`;
  const queue = createBullmqJobQueue(redis, prefix);
  const runsDir = mkdtempSync(join(tmpdir(), "swarm-runs-"));

  const probot = new Probot({
    appId: github.app.id,
    privateKey: github.app.privateKey,
    secret: SECRET,
    logLevel: "warn",
    // The function form: Probot would override an object (and throttling costs seconds per instance).
    Octokit: ProbotOctokit.defaults((o: object) => ({
      ...o,
      baseUrl: github.url,
      throttle: { enabled: false },
      retry: { enabled: false },
    })),
  });
  const middleware = await createNodeMiddleware(swarmApp(queue, deliveryNotes(redis, prefix)), {
    probot,
    webhooksPath: "/",
  });
  const server: Server = createServer((req, res) => {
    void middleware(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  github.webhooks.deliverTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, SECRET);

  const app = {
    appId: github.app.id,
    privateKey: github.app.privateKey,
    baseUrl: github.url,
    retryAfterBaseValue: options.retryAfterBaseValue ?? 1,
    writeLimits: [writeWindow],
  };
  const forgeFactory = () =>
    createForgeFactory({
      ...app,
      // As `swarm worker` does: what swarm wrote is kept in Redis, shared by the rig's workers.
      memoFor: (installationId: number, owner: string, repo: string) =>
        createRedisRunMemo(redis, prefix, installationId, owner, repo),
      ...(options.sharedWriteLimits
        ? {
            writeLimiterFor: (installationId: number) =>
              createRedisWriteLimiter(redis, prefix, installationId, { windows: [writeWindow] }),
          }
        : {}),
    });
  const modelFor = async (config: RepoConfig, runId: string, runDir: string) =>
    createModelClient({
      runId,
      config,
      transport: createAnthropicTransport({
        apiKey: anthropic.apiKey,
        baseURL: anthropic.url,
        backoff: { initialMs: 1, maxMs: 5 },
      }),
      ledger: createRedisLedger(redis, prefix, runId, config.prices),
      trace: createFileTraceSink(join(runDir, "trace.jsonl"), [anthropic.apiKey]),
    });
  const outcomes: PlanOutcome[] = [];
  const commandOutcomes: CommandOutcome[] = [];
  const reviewOutcomes: ReviewOutcome[] = [];
  const integrateOutcomes: IntegrateOutcome[] = [];
  // The wiring of `swarm worker`, with this process serving every queue; with `execute`, planned runs are coded.
  const pool = Array.from({ length: options.workers ?? 1 }, () =>
    startJobWorkers({
      connect: () => createRedis(),
      prefix,
      concurrency: 4,
      execute: options.execute ?? false,
      dashboardWaitMs: options.dashboardWaitMs ?? 20,
      services: {
        forgeFor: forgeFactory(),
        tokenFor: createTokenSource(app),
        model: modelFor,
        runsDir,
        readLedger: (runId) => createRedisLedger(redis, prefix, runId, {}).read(),
      },
      observe: {
        plan: (o) => outcomes.push(o),
        command: (o) => commandOutcomes.push(o),
        review: (o) => reviewOutcomes.push(o),
        integrate: (o) => integrateOutcomes.push(o),
      },
    }),
  );
  const scheduler = pool[0]?.scheduler;

  /** Waits until webhooks are delivered and the job queues are idle (node jobs have `scheduler.settled`). */
  const settled = async () => {
    for (let i = 0; i < 400; i++) {
      await github.webhooks.settled();
      const counts = await Promise.all(
        (["plan", "command", "integrate", "review"] as const).map((q) =>
          queue.queue(q).getJobCounts("waiting", "active", "delayed", "prioritized"),
        ),
      );
      // The CI stand-in's review, due `validation.ciWaitMinutes` after each push, waits minutes for a
      // repository with workflows: not work in flight. Any other delayed job (a retry) is.
      const standIns = (await queue.queue("review").getDelayed()).filter(
        (j) => j.id?.startsWith("review-ci-") && j.timestamp + (j.opts.delay ?? 0) - Date.now() > 30_000,
      ).length;
      const review = counts[3];
      if (review) review.delayed = (review.delayed ?? 0) - standIns;
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const stuck = await Promise.all(
      (["plan", "command", "integrate", "review"] as const).map(async (q) => [
        q,
        await queue.queue(q).getJobCounts(),
        (await queue.queue(q).getFailed()).map((j) => j.failedReason),
      ]),
    );
    throw new Error(`the queues did not settle: ${JSON.stringify(stuck)}`);
  };

  /** Polls `condition` until it holds (or fails after `ms`). */
  const until = async (condition: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await condition())) {
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${condition}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  return {
    until,
    github,
    anthropic,
    outcomes,
    runsDir,
    queue,
    prefix,
    settled,
    commandOutcomes,
    reviewOutcomes,
    integrateOutcomes,
    scheduler,
    async stop() {
      await Promise.all(pool.map((w) => w.stop()));
      for (const q of ["plan", "command", "integrate", "review"] as const)
        await queue.queue(q).obliterate({ force: true });
      await queue.close();
      await redis.quit();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await github.stop();
      await anthropic.stop();
    },
  };
}

export type PlanningRig = Awaited<ReturnType<typeof startPlanningRig>>;
