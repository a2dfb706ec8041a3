import { createHash, timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { Queue } from "bullmq";
import express, { type NextFunction, type Request, type Response } from "express";
import { Probot, ProbotOctokit } from "probot";
import { Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import { InputError } from "../domain/errors.js";
import { createBullmqJobQueue } from "../queue/bullmq-job-queue.js";
import { createRedisMetrics, renderWorkerMetrics } from "../queue/redis-metrics.js";
import { watchRedis } from "../queue/watch-redis.js";
import { swarmApp } from "./app.js";
import { deliveryNotes } from "./delivery-notes.js";
import { appId, httpUrl, prefix, readServiceEnv, redisUrl, wholeNumber } from "./read-service-env.js";
import { receiveWebhook } from "./receive-webhook.js";

const ServerEnvSchema = z.object({
  APP_ID: appId,
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string({
    error: "is not set; set it to the App's webhook secret (the one on the App's settings page)",
  }),
  GITHUB_API_URL: httpUrl("GitHub's REST API, such as https://api.github.com (or unset it)").optional(),
  REDIS_URL: redisUrl,
  SWARM_PREFIX: prefix,
  // 0 asks the system for a free port (the server prints the one it got).
  PORT: wholeNumber(0, 65535, "the TCP port to listen on, such as 3000").default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Credentials of the queue dashboard at /admin/queues; without them it refuses everyone. */
  ADMIN_USER: z.string().default("admin"),
  ADMIN_PASSWORD: z
    .string()
    .min(12, "is shorter than 12 characters; use a longer password, or unset it to keep the dashboard closed")
    .optional(),
});

/** The environment of `swarm server`, checked at start-up: each missing or malformed variable is named with its fix. */
export function readServerEnv(env: Readonly<Record<string, string | undefined>>) {
  return readServiceEnv("swarm server", ServerEnvSchema, env, {
    inline: "PRIVATE_KEY",
    path: "PRIVATE_KEY_PATH",
  });
}

const QUEUES = ["plan", "command", "integrate", "review"] as const;

/**
 * `swarm server`: GitHub's webhooks (through the Probot app, which only queues jobs), /healthz, /readyz,
 * Prometheus metrics at /metrics, and the BullMQ dashboard at /admin/queues behind basic authentication.
 * Workers (`swarm worker`) do the work; run them beside it on the same Redis.
 */
export async function startServer(
  env: Readonly<Record<string, string | undefined>>,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
) {
  const e = readServerEnv(env);
  const watch = watchRedis(e.REDIS_URL, (line) => say(`swarm server: ${line}`));
  const redis = watch.connect();
  const jobs = createBullmqJobQueue(redis, e.SWARM_PREFIX, (error) => watch.queueError(error));
  const nodeQueue = new Queue("node", { connection: redis, prefix: `${e.SWARM_PREFIX}:q` });
  nodeQueue.on("error", (error) => watch.queueError(error));
  const probot = new Probot({
    appId: e.APP_ID,
    privateKey: e.privateKey,
    secret: e.WEBHOOK_SECRET,
    // Probot's own log of a failed delivery carries the payload; receiveWebhook logs one line instead.
    logLevel: "fatal",
    ...(e.GITHUB_API_URL
      ? { Octokit: ProbotOctokit.defaults((o: object) => ({ ...o, baseUrl: e.GITHUB_API_URL })) }
      : {}),
  });
  await probot.load(swarmApp(jobs, deliveryNotes(redis, e.SWARM_PREFIX)));
  const webhooks = receiveWebhook({ probot, secret: e.WEBHOOK_SECRET, log: say });

  const registry = new Registry();
  const workerMetrics = createRedisMetrics(redis, e.SWARM_PREFIX);
  const webhookSeconds = new Histogram({
    name: "swarm_webhook_seconds",
    help: "Time to answer a GitHub webhook delivery, by event",
    labelNames: ["event", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: "swarm_queue_jobs",
    help: "Jobs in swarm's queues, by queue and state",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      if (!watch.reachable) return;
      const all = [...QUEUES.map((q) => [q, jobs.queue(q)] as const), ["node", nodeQueue] as const];
      for (const [name, queue] of all) {
        const counts = await within(
          2000,
          queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized"),
          {},
        );
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
      }
    },
  });

  const app = express();
  app.disable("x-powered-by");
  app.post("/api/github/webhooks", (req, res) => {
    const stop = webhookSeconds.startTimer({ event: String(req.headers["x-github-event"] ?? "unknown") });
    res.on("finish", () => stop({ status: String(res.statusCode) }));
    void webhooks(req, res);
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    // Commands wait for a lost connection to come back, so a Redis that does not answer is not waited on.
    const ok =
      watch.reachable &&
      (await within(
        2000,
        redis.ping().then(
          (pong) => pong === "PONG",
          () => false,
        ),
        false,
      ));
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "redis is not answering" });
  });
  app.get("/metrics", async (_req, res) => {
    // The server's own metrics, then what every worker has recorded in Redis.
    const workers = watch.reachable
      ? await within(2000, workerMetrics.read().then(renderWorkerMetrics), "").catch(() => "")
      : "";
    res.type(registry.contentType).send(`${await registry.metrics()}${workers}`);
  });

  const board = new ExpressAdapter();
  board.setBasePath("/admin/queues");
  createBullBoard({
    queues: [...QUEUES.map((q) => new BullMQAdapter(jobs.queue(q))), new BullMQAdapter(nodeQueue)],
    serverAdapter: board,
  });
  app.use("/admin/queues", adminOnly(e.ADMIN_USER, e.ADMIN_PASSWORD), board.getRouter());

  const server: Server = await new Promise<Server>((done, fail) => {
    // Express 5 hands a listen error to this callback too.
    const s = app.listen(e.PORT, e.HOST, (error?: Error) =>
      error ? fail(listenError(error as NodeJS.ErrnoException, e.HOST, e.PORT)) : done(s),
    );
  }).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${port}`,
    async stop() {
      await new Promise<void>((done) => server.close(() => done()));
      await nodeQueue.close();
      await jobs.close();
      redis.disconnect();
    },
    /** Stops at once: Redis is not answering, so closing the queues cleanly would wait for it. */
    abandon() {
      server.close();
      server.closeAllConnections();
      redis.disconnect();
    },
  };
}

/** `promise`, or `fallback` if it has not settled within `ms`. */
function within<T>(ms: number, promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The port is taken, or the host is not this machine's: said with what to change. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (error.code === "EADDRINUSE")
    return new InputError({
      problem: `cannot listen on ${where}: another program holds the port.`,
      fix: "stop it, or set PORT to a free port.",
    });
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND")
    return new InputError({
      problem: `cannot listen on ${where}: this machine has no such address.`,
      fix: "set HOST to one of this machine's addresses, or 0.0.0.0 for all of them.",
    });
  if (error.code === "EACCES")
    return new InputError({
      problem: `cannot listen on ${where}: ports below 1024 need privileges.`,
      fix: "set PORT to 1024 or more (put a reverse proxy in front for 443).",
    });
  return error;
}

/** Basic authentication for the dashboard; with no password configured, nobody gets in. */
function adminOnly(user: string, password: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const [kind, encoded] = (req.headers.authorization ?? "").split(" ");
    const [u, p] = Buffer.from(encoded ?? "", "base64")
      .toString()
      .split(":");
    if (password && kind === "Basic" && same(u ?? "", user) && same(p ?? "", password)) return next();
    res
      .status(401)
      .set("www-authenticate", 'Basic realm="swarm queues"')
      .send(
        password ? "Sign in to see swarm's queues." : "Set ADMIN_PASSWORD to open swarm's queue dashboard.",
      );
  };
}

/** Compares secrets in constant time (of their hashes, so lengths do not leak either). */
function same(a: string, b: string): boolean {
  const hash = (x: string) => createHash("sha256").update(x).digest();
  return timingSafeEqual(hash(a), hash(b));
}
