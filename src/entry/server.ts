import { createHash, createPrivateKey, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { Queue } from "bullmq";
import express, { type NextFunction, type Request, type Response } from "express";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import { createBullmqJobQueue } from "../queue/bullmq-job-queue.js";
import { createRedis } from "../queue/redis.js";
import { createRedisMetrics, renderWorkerMetrics } from "../queue/redis-metrics.js";
import { swarmApp } from "./app.js";

const pem = (value: string) => {
  try {
    createPrivateKey(value);
    return true;
  } catch {
    return false;
  }
};

const ServerEnvSchema = z.object({
  APP_ID: z.coerce.number({ error: "set it to the GitHub App's id (a number)" }).int().positive(),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string({ error: "set it to the App's webhook secret" }).min(1),
  GITHUB_API_URL: z.url().optional(),
  REDIS_URL: z.string().default("redis://127.0.0.1:6379"),
  SWARM_PREFIX: z
    .string()
    .regex(/^[\w{}-]+$/)
    .default("swarm"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** Credentials of the queue dashboard at /admin/queues; without them it refuses everyone. */
  ADMIN_USER: z.string().default("admin"),
  ADMIN_PASSWORD: z.string().min(12, "use at least 12 characters").optional(),
});

export class ServerEnvError extends Error {}

/** The environment of `swarm server`, checked at start-up: every missing or malformed variable is named. */
export function readServerEnv(env: Readonly<Record<string, string | undefined>>) {
  const parsed = ServerEnvSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
  let privateKey = env.PRIVATE_KEY;
  if (!privateKey && env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(resolve(env.PRIVATE_KEY_PATH), "utf8");
    } catch {
      problems.push(`  PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH}`);
    }
  }
  if (!privateKey && !env.PRIVATE_KEY_PATH)
    problems.push("  PRIVATE_KEY: set PRIVATE_KEY (the App's PEM key) or PRIVATE_KEY_PATH");
  else if (privateKey && !pem(privateKey.replace(/\\n/g, "\n")))
    problems.push(
      `  ${env.PRIVATE_KEY ? "PRIVATE_KEY" : "PRIVATE_KEY_PATH"}: is not a PEM private key (it should start with -----BEGIN RSA PRIVATE KEY-----)`,
    );
  if (!parsed.success || problems.length > 0)
    throw new ServerEnvError(
      `swarm server cannot start; fix these environment variables:\n${problems.join("\n")}`,
    );
  return { ...parsed.data, privateKey: (privateKey ?? "").replace(/\\n/g, "\n") };
}

const QUEUES = ["plan", "command", "integrate", "review"] as const;

/**
 * `swarm server`: GitHub's webhooks (through the Probot app, which only queues jobs), /healthz, /readyz,
 * Prometheus metrics at /metrics, and the BullMQ dashboard at /admin/queues behind basic authentication.
 * Workers (`swarm worker`) do the work; run them beside it on the same Redis.
 */
export async function startServer(env: Readonly<Record<string, string | undefined>>) {
  const e = readServerEnv(env);
  const redis = createRedis(e.REDIS_URL);
  const jobs = createBullmqJobQueue(redis, e.SWARM_PREFIX);
  const nodeQueue = new Queue("node", { connection: redis, prefix: `${e.SWARM_PREFIX}:q` });
  const probot = new Probot({
    appId: e.APP_ID,
    privateKey: e.privateKey,
    secret: e.WEBHOOK_SECRET,
    logLevel: "warn",
    ...(e.GITHUB_API_URL
      ? { Octokit: ProbotOctokit.defaults((o: object) => ({ ...o, baseUrl: e.GITHUB_API_URL })) }
      : {}),
  });
  const webhooks = await createNodeMiddleware(swarmApp(jobs), {
    probot,
    webhooksPath: "/api/github/webhooks",
  });

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
      const all = [...QUEUES.map((q) => [q, jobs.queue(q)] as const), ["node", nodeQueue] as const];
      for (const [name, queue] of all) {
        const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
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
    const ok = await redis.ping().then(
      (pong) => pong === "PONG",
      () => false,
    );
    res.status(ok ? 200 : 503).json({ status: ok ? "ready" : "redis is not answering" });
  });
  app.get("/metrics", async (_req, res) => {
    // The server's own metrics, then what every worker has recorded in Redis.
    const workers = await workerMetrics.read().then(renderWorkerMetrics, () => "");
    res.type(registry.contentType).send(`${await registry.metrics()}${workers}`);
  });

  const board = new ExpressAdapter();
  board.setBasePath("/admin/queues");
  createBullBoard({
    queues: [...QUEUES.map((q) => new BullMQAdapter(jobs.queue(q))), new BullMQAdapter(nodeQueue)],
    serverAdapter: board,
  });
  app.use("/admin/queues", adminOnly(e.ADMIN_USER, e.ADMIN_PASSWORD), board.getRouter());

  const server: Server = await new Promise((done) => {
    const s = app.listen(e.PORT, e.HOST, () => done(s));
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
  };
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
