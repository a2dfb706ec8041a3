import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "bullmq";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import type { RepoConfig } from "../../src/domain/config/repo-config.js";
import { swarmApp } from "../../src/entry/app.js";
import { createForgeFactory } from "../../src/entry/forge-factory.js";
import { createNodeRunner } from "../../src/entry/node-runner.js";
import { createPlanProcessor } from "../../src/entry/plan-processor.js";
import { startRunWith } from "../../src/entry/start-run.js";
import { createAnthropicTransport } from "../../src/model/anthropic-transport.js";
import { createModelClient } from "../../src/model/model-client.js";
import { createFileTraceSink } from "../../src/model/trace/file-trace-sink.js";
import { type CommandOutcome, handleCommand } from "../../src/pipeline/commands/handle-command.js";
import type { CommandJob, PlanJob } from "../../src/pipeline/jobs.js";
import type { PlanOutcome } from "../../src/pipeline/plan/plan-spec.js";
import { createBullmqJobQueue, startWorker } from "../../src/queue/bullmq-job-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisLedger } from "../../src/queue/redis-ledger.js";
import { createRedisScheduler } from "../../src/queue/redis-scheduler.js";
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

export async function startPlanningRig(planner: ScriptedModel, options: { execute?: boolean } = {}) {
  await requireRedis();
  const github: FakeGitHub = await startFakeGitHub({ contentLimit: WRITE_WINDOW });
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
  const middleware = await createNodeMiddleware(swarmApp(queue), { probot, webhooksPath: "/" });
  const server: Server = createServer((req, res) => {
    void middleware(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  github.webhooks.deliverTo(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, SECRET);

  const outcomes: PlanOutcome[] = [];
  const forgeFor = createForgeFactory({
    appId: github.app.id,
    privateKey: github.app.privateKey,
    baseUrl: github.url,
    retryAfterBaseValue: 1,
    writeLimits: [WRITE_WINDOW],
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
  // With `execute`, planned runs are coded: the Redis scheduler, with this process as the node worker.
  const scheduler = options.execute
    ? createRedisScheduler({
        connection: createRedis(),
        prefix,
        concurrency: 4,
        runNode: createNodeRunner({
          forgeFor,
          tokenFor: async () => undefined,
          model: modelFor,
          runsDir,
          readLedger: (runId) => createRedisLedger(redis, prefix, runId, {}).read(),
        }),
      })
    : undefined;
  const process = createPlanProcessor({
    forgeFor,
    runsDir,
    dashboardWaitMs: 20,
    ...(scheduler ? { scheduleNodes: startRunWith(scheduler) } : {}),
    // The same model wiring as `swarm worker`: one Redis ledger per run, for the planner and the coders.
    model: modelFor,
  });
  const commandOutcomes: CommandOutcome[] = [];
  const commandWorker: Worker = startWorker<CommandJob>(
    "command",
    async (data) => {
      const outcome = await handleCommand(
        data,
        forgeFor(data.installationId, data.repo.owner, data.repo.name),
        scheduler ? { cancelRun: (runId) => scheduler.cancel(runId) } : {},
      );

      commandOutcomes.push(outcome);
      return outcome;
    },
    { connection: createRedis(), prefix, concurrency: 2 },
  );
  const worker: Worker = startWorker<PlanJob>(
    "plan",
    async (data) => {
      const outcome = await process(data);
      outcomes.push(outcome);
      return outcome;
    },
    { connection: createRedis(), prefix, concurrency: 2 },
  );

  /** Waits until webhooks are delivered and the plan queue is idle. */
  const settled = async () => {
    for (let i = 0; i < 400; i++) {
      await github.webhooks.settled();
      const counts = await Promise.all(
        ["plan", "command"].map((q) =>
          queue.queue(q as "plan").getJobCounts("waiting", "active", "delayed", "prioritized"),
        ),
      );
      if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("the plan queue did not settle");
  };

  return {
    github,
    anthropic,
    outcomes,
    runsDir,
    queue,
    settled,
    commandOutcomes,
    scheduler,
    async stop() {
      await scheduler?.close();
      await worker.close();
      await commandWorker.close();
      await queue.queue("plan").obliterate({ force: true });
      await queue.queue("command").obliterate({ force: true });
      await queue.close();
      await redis.quit();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await github.stop();
      await anthropic.stop();
    },
  };
}

export type PlanningRig = Awaited<ReturnType<typeof startPlanningRig>>;
