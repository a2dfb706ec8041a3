import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullmqJobQueue } from "../../src/queue/bullmq-job-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisMetrics } from "../../src/queue/redis-metrics.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import { requireRedis } from "../support/require-redis.js";

// `swarm server` as an operator runs it: bin/swarm.js over the build, configured by its environment.
const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const SECRET = "server-test-secret";
const PASSWORD = "a-long-admin-password";

let github: FakeGitHub;
beforeAll(async () => {
  await requireRedis();
  github = await startFakeGitHub();
});
afterAll(() => github.stop());

const base = () => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  APP_ID: String(github.app.id),
  PRIVATE_KEY: github.app.privateKey,
  WEBHOOK_SECRET: SECRET,
  GITHUB_API_URL: github.url,
});
const refuse = (env: Record<string, string | undefined>) => {
  const run = spawnSync(process.execPath, [bin, "server"], {
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
  });
  return { code: run.status, stderr: run.stderr };
};

describe("swarm server", () => {
  it("will not start without APP_ID or with a malformed private key, and names the variable", () => {
    const { APP_ID: _, ...noId } = base();
    const missing = refuse(noId);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      "swarm server: cannot start: an environment variable is missing or malformed.",
    );
    expect(missing.stderr).toContain("- APP_ID is not set; set it to the GitHub App's id (a number");
    const malformed = refuse({ ...base(), PRIVATE_KEY: "not a key" });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("- PRIVATE_KEY is not a PEM private key");
    expect(malformed.stderr).not.toContain("not a key"); // the value itself is never echoed
  });

  describe("running", () => {
    let server: ChildProcess;
    let url = "";
    const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
    beforeAll(async () => {
      server = spawn(process.execPath, [bin, "server"], {
        env: { ...base(), PORT: "0", HOST: "127.0.0.1", SWARM_PREFIX: prefix, ADMIN_PASSWORD: PASSWORD },
      });
      url = await new Promise<string>((done, fail) => {
        let out = "";
        server.stdout?.on("data", (chunk) => {
          out += chunk;
          const found = /listening on (\S+)/.exec(out)?.[1];
          if (found) done(found);
        });
        server.on("exit", (code) => fail(new Error(`the server exited (${code})`)));
      });
    });
    afterAll(async () => {
      server.kill("SIGTERM");
      await new Promise((done) => server.on("exit", done));
      const redis = createRedis();
      const queue = createBullmqJobQueue(redis, prefix);
      await queue.queue("plan").obliterate({ force: true });
      await queue.close();
      await redis.del(`${prefix}:metrics`);
      await redis.quit();
    });

    it("answers health and readiness", async () => {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready" });
    });

    it("queues a signed webhook's job, and /metrics shows the answer time and the queue", async () => {
      github.webhooks.deliverTo(`${url}/api/github/webhooks`, SECRET);
      const repo = github.createRepo("acme", "served");
      github.labelIssue(repo, github.openIssue(repo, "Add search", "Search the shop."), "swarm");
      await github.webhooks.settled();
      expect(github.webhooks.deliveries.at(-1)?.status).toBe(200);
      const redis = createRedis();
      const queue = createBullmqJobQueue(redis, prefix);
      expect(await queue.queue("plan").getJobCounts("waiting")).toEqual({ waiting: 1 });
      await queue.close();
      await redis.quit();

      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('swarm_webhook_seconds_count{event="issues",status="200"} 1');
      expect(metrics).toContain('swarm_queue_jobs{queue="plan",state="waiting"} 1');
    });

    it("/metrics shows what the workers recorded in Redis: job durations, tokens, cost, cache reads, rate limit", async () => {
      const redis = createRedis();
      const recorded = createRedisMetrics(redis, prefix);
      await recorded.job("node", 42, "ok");
      await recorded.job("node", 2, "error");
      await recorded.modelCall(
        "coder",
        "claude-sonnet-4-5",
        { inputTokens: 100, outputTokens: 50, cacheReadTokens: 300, cacheWriteTokens: 0 },
        0.01,
      );
      await recorded.rateLimit(7, 4321, 5000);
      await redis.quit();
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain("# TYPE swarm_job_seconds histogram");
      expect(metrics).toContain('swarm_job_seconds_bucket{queue="node",le="5"} 1');
      expect(metrics).toContain('swarm_job_seconds_bucket{queue="node",le="60"} 2');
      expect(metrics).toContain('swarm_job_seconds_count{queue="node"} 2');
      expect(metrics).toContain('swarm_jobs_total{queue="node",outcome="error"} 1');
      expect(metrics).toContain(
        'swarm_model_tokens_total{role="coder",model="claude-sonnet-4-5",kind="cache_read"} 300',
      );
      expect(metrics).toContain('swarm_model_cost_usd_total{role="coder",model="claude-sonnet-4-5"} 0.01');
      expect(metrics).toContain('swarm_model_cache_read_ratio{model="claude-sonnet-4-5"} 0.75');
      expect(metrics).toContain('swarm_github_rate_limit_remaining{installation="7"} 4321');
    });

    it("keeps the queue dashboard behind a password", async () => {
      const anonymous = await fetch(`${url}/admin/queues`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toBe('Basic realm="swarm queues"');
      const wrong = await fetch(`${url}/admin/queues`, {
        headers: { authorization: `Basic ${Buffer.from("admin:guess").toString("base64")}` },
      });
      expect(wrong.status).toBe(401);
      const admin = await fetch(`${url}/admin/queues`, {
        headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` },
      });
      expect(admin.status).toBe(200);
      expect(await admin.text()).toContain("<title>");
    });
  });
});
