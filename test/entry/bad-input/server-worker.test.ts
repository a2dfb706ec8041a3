import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullmqJobQueue } from "../../../src/queue/bullmq-job-queue.js";
import { createRedis } from "../../../src/queue/redis.js";
import { type FakeAnthropic, startFakeAnthropic } from "../../support/fake-anthropic/server.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github/server.js";
import { startPrivateRedis } from "../../support/private-redis.js";
import { requireRedis } from "../../support/require-redis.js";

// `swarm server` and `swarm worker` as an operator starts them (bin/swarm.js over the build), each given one
// bad variable: each refuses with exit 2 and a message that names the variable and what to set it to.
const bin = resolve(import.meta.dirname, "../../../bin/swarm.js");
const scratch = mkdtempSync(join(tmpdir(), "swarm-bad-env-"));
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;
const pemFile = join(scratch, "app.pem");
writeFileSync(pemFile, pem);
const notPemFile = join(scratch, "notes.txt");
writeFileSync(notPemFile, "just some notes\n");
const STACK = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;

type Outcome = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs `swarm <command>` with exactly `env` (and PATH) and collects what it says. */
function swarm(command: "server" | "worker", env: Record<string, string | undefined>, timeoutMs = 20_000) {
  return new Promise<Outcome>((done) => {
    const child = spawn(process.execPath, [bin, command], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

const worker = (): Record<string, string | undefined> => ({
  REDIS_URL: "redis://127.0.0.1:6379",
  GITHUB_APP_ID: "12345",
  GITHUB_PRIVATE_KEY: pem,
  ANTHROPIC_API_KEY: "sk-ant-test-fake-key",
  SWARM_RUNS_DIR: join(scratch, "runs"),
});
const server = (): Record<string, string | undefined> => ({
  REDIS_URL: "redis://127.0.0.1:6379",
  APP_ID: "12345",
  PRIVATE_KEY: pem,
  WEBHOOK_SECRET: "a-webhook-secret",
  HOST: "127.0.0.1",
  PORT: "0",
});

/** A refusal: exit 2, the one message names the variable and its fix, no stack, nothing started. */
function expectRefusal(r: Outcome, command: string, variable: string, fix: RegExp) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^swarm ${command}: cannot start: `));
  const line = r.stderr.split("\n").find((l) => l.trimStart().startsWith(`- ${variable} `));
  expect(line, r.stderr).toBeDefined();
  expect(line).toMatch(fix);
  expect(r.stderr).toMatch(/\n {4}fix: set (it|them) as above and start swarm (server|worker) again/);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stdout).not.toContain("serving");
  expect(r.stdout).not.toContain("listening");
}

describe("swarm worker refuses a bad environment", () => {
  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    [
      "GITHUB_APP_ID missing",
      { GITHUB_APP_ID: undefined },
      "GITHUB_APP_ID",
      /is not set; set it to the GitHub App's id/,
    ],
    [
      "GITHUB_APP_ID not a number",
      { GITHUB_APP_ID: "my-app" },
      "GITHUB_APP_ID",
      /is not a number; set it to the GitHub App's id/,
    ],
    [
      "GITHUB_PRIVATE_KEY not a PEM",
      { GITHUB_PRIVATE_KEY: "not-a-key-but-secret" },
      "GITHUB_PRIVATE_KEY",
      /is not a PEM private key; use the App's private key/,
    ],
    [
      "GITHUB_PRIVATE_KEY and its path both missing",
      { GITHUB_PRIVATE_KEY: undefined },
      "GITHUB_PRIVATE_KEY",
      /is not set; set it to the App's private key .* or set GITHUB_PRIVATE_KEY_PATH/,
    ],
    [
      "GITHUB_PRIVATE_KEY_PATH missing",
      { GITHUB_PRIVATE_KEY: undefined, GITHUB_PRIVATE_KEY_PATH: join(scratch, "nope.pem") },
      "GITHUB_PRIVATE_KEY_PATH",
      /names a file that does not exist; set it to the path of/,
    ],
    [
      "GITHUB_PRIVATE_KEY_PATH a directory",
      { GITHUB_PRIVATE_KEY: undefined, GITHUB_PRIVATE_KEY_PATH: scratch },
      "GITHUB_PRIVATE_KEY_PATH",
      /names a directory; set it to the path of/,
    ],
    [
      "GITHUB_PRIVATE_KEY_PATH not a PEM",
      { GITHUB_PRIVATE_KEY: undefined, GITHUB_PRIVATE_KEY_PATH: notPemFile },
      "GITHUB_PRIVATE_KEY_PATH",
      /names a file that is not a PEM private key/,
    ],
    [
      "REDIS_URL without its colon",
      { REDIS_URL: "redis//x" },
      "REDIS_URL",
      /is not a Redis URL; set it to redis:\/\//,
    ],
    [
      "REDIS_URL an http URL",
      { REDIS_URL: "http://x" },
      "REDIS_URL",
      /is not a Redis URL; set it to redis:\/\//,
    ],
    [
      "ANTHROPIC_API_KEY missing",
      { ANTHROPIC_API_KEY: undefined },
      "ANTHROPIC_API_KEY",
      /is not set; set it to an Anthropic API key/,
    ],
    [
      "ANTHROPIC_BASE_URL malformed",
      { ANTHROPIC_BASE_URL: "api.anthropic.com" },
      "ANTHROPIC_BASE_URL",
      /is not an http\(s\) URL; set it to the Messages API's base URL/,
    ],
    [
      "SWARM_CONCURRENCY not a number",
      { SWARM_CONCURRENCY: "lots" },
      "SWARM_CONCURRENCY",
      /is not a whole number; set it to the number of jobs .* \(1 to 64\)/,
    ],
    [
      "SWARM_CONCURRENCY zero",
      { SWARM_CONCURRENCY: "0" },
      "SWARM_CONCURRENCY",
      /is out of range; set it to the number of jobs .* \(1 to 64\)/,
    ],
    [
      "SWARM_STALLED_INTERVAL_MS with a unit",
      { SWARM_STALLED_INTERVAL_MS: "30s" },
      "SWARM_STALLED_INTERVAL_MS",
      /is not a whole number; set it to milliseconds/,
    ],
    [
      "SWARM_SWEEP_INTERVAL_MS negative",
      { SWARM_SWEEP_INTERVAL_MS: "-5" },
      "SWARM_SWEEP_INTERVAL_MS",
      /is out of range; set it to milliseconds/,
    ],
    [
      "SWARM_MODEL_TIMEOUT_MS not a number",
      { SWARM_MODEL_TIMEOUT_MS: "soon" },
      "SWARM_MODEL_TIMEOUT_MS",
      /is malformed; .*must be positive integers/,
    ],
    [
      "SWARM_PREFIX with a colon",
      { SWARM_PREFIX: "swarm:prod" },
      "SWARM_PREFIX",
      /may hold only letters, digits.*set it to a name such as swarm/,
    ],
  ];
  it.each(cases)("%s: exit 2, the variable and its fix", async (_name, change, variable, fix) => {
    const r = await swarm("worker", { ...worker(), ...change });
    expectRefusal(r, "worker", variable, fix);
    // A secret given in the wrong shape is not echoed back.
    for (const value of Object.values(change))
      if (value && variable.includes("KEY")) expect(r.stderr).not.toContain(value);
  });

  it("with nothing set, lists every missing variable in one message", async () => {
    const r = await swarm("worker", {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^swarm worker: cannot start: 3 environment variables are missing or malformed\./,
    );
    for (const v of ["GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "ANTHROPIC_API_KEY"])
      expect(r.stderr).toContain(`- ${v} is not set; set it to`);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe("swarm server refuses a bad environment", () => {
  const cases: [string, Record<string, string | undefined>, string, RegExp][] = [
    ["APP_ID missing", { APP_ID: undefined }, "APP_ID", /is not set; set it to the GitHub App's id/],
    ["APP_ID not a number", { APP_ID: "12ab" }, "APP_ID", /is not a number; set it to the GitHub App's id/],
    [
      "PRIVATE_KEY not a PEM",
      { PRIVATE_KEY: "not-a-key-but-secret" },
      "PRIVATE_KEY",
      /is not a PEM private key; use the App's private key .*-----BEGIN RSA PRIVATE KEY-----/,
    ],
    [
      "PRIVATE_KEY_PATH missing",
      { PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: join(scratch, "nope.pem") },
      "PRIVATE_KEY_PATH",
      /names a file that does not exist/,
    ],
    [
      "PRIVATE_KEY_PATH a directory",
      { PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: scratch },
      "PRIVATE_KEY_PATH",
      /names a directory; set it to the path of the App's private key/,
    ],
    [
      "WEBHOOK_SECRET missing",
      { WEBHOOK_SECRET: undefined },
      "WEBHOOK_SECRET",
      /is not set; set it to the App's webhook secret/,
    ],
    [
      "WEBHOOK_SECRET empty",
      { WEBHOOK_SECRET: "" },
      "WEBHOOK_SECRET",
      /is not set; set it to the App's webhook secret/,
    ],
    ["REDIS_URL without its colon", { REDIS_URL: "redis//x" }, "REDIS_URL", /is not a Redis URL/],
    ["REDIS_URL an http URL", { REDIS_URL: "http://x" }, "REDIS_URL", /is not a Redis URL/],
    [
      "PORT past 65535",
      { PORT: "70000" },
      "PORT",
      /is out of range; set it to the TCP port to listen on, such as 3000 \(0 to 65535\)/,
    ],
    ["PORT not a number", { PORT: "abc" }, "PORT", /is not a whole number; set it to the TCP port/],
    ["PORT negative", { PORT: "-1" }, "PORT", /is out of range; set it to the TCP port/],
    [
      "GITHUB_API_URL malformed",
      { GITHUB_API_URL: "github.example.com/api" },
      "GITHUB_API_URL",
      /is not an http\(s\) URL; set it to GitHub's REST API/,
    ],
    [
      "ADMIN_PASSWORD too short",
      { ADMIN_PASSWORD: "hunter2" },
      "ADMIN_PASSWORD",
      /is shorter than 12 characters; use a longer password/,
    ],
  ];
  it.each(cases)("%s: exit 2, the variable and its fix", async (_name, change, variable, fix) => {
    const r = await swarm("server", { ...server(), ...change });
    expectRefusal(r, "server", variable, fix);
    if (change.PRIVATE_KEY) expect(r.stderr).not.toContain(change.PRIVATE_KEY);
    if (change.ADMIN_PASSWORD) expect(r.stderr).not.toContain(change.ADMIN_PASSWORD);
  });

  it("a PORT another program holds: exit 2, says so and what to change", async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, "127.0.0.1", done));
    const port = (holder.address() as { port: number }).port;
    try {
      const r = await swarm("server", { ...server(), PORT: String(port) });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `swarm server: cannot listen on 127.0.0.1:${port}: another program holds the port.`,
      );
      expect(r.stderr).toContain("    fix: stop it, or set PORT to a free port.");
      expect(r.stderr).not.toMatch(STACK);
    } finally {
      holder.close();
    }
  });
});

/** A spawned command whose output is watched as it comes. */
function watched(command: "server" | "worker", env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [bin, command], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const p = { child, output: "" };
  child.stdout.on("data", (d) => {
    p.output += d;
  });
  child.stderr.on("data", (d) => {
    p.output += d;
  });
  return p;
}
async function waitFor(what: string, done: () => boolean, output: () => string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Sends SIGTERM and measures how long the process takes to exit. */
async function terminate(child: ChildProcess) {
  const started = Date.now();
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await exited;
  clearTimeout(timer);
  return { code, seconds: (Date.now() - started) / 1000 };
}
const cannotReach = (output: string) => output.split("\n").filter((l) => l.includes("cannot reach Redis at"));

describe("Redis that does not answer", () => {
  it("a worker whose REDIS_URL answers nothing says so once, keeps retrying, and stops on SIGTERM", async () => {
    const port = await closedPort();
    const w = watched("worker", { ...worker(), REDIS_URL: `redis://:a-redis-password@127.0.0.1:${port}` });
    await waitFor(
      "the Redis message",
      () => cannotReach(w.output).length > 0,
      () => w.output,
    );
    await new Promise((r) => setTimeout(r, 1500)); // several retries
    const lines = cannotReach(w.output);
    expect(lines).toEqual([
      `swarm worker: cannot reach Redis at redis://:***@127.0.0.1:${port} (ECONNREFUSED); retrying quietly until it answers. Check that Redis runs there and that REDIS_URL (host, port, password) is right.`,
    ]);
    expect(w.output).not.toContain("a-redis-password");
    const { code, seconds } = await terminate(w.child);
    expect(code).toBe(1);
    expect(seconds).toBeLessThan(15);
    expect(w.output).toContain("stopping without draining, since Redis does not answer");
    expect(w.output).not.toMatch(STACK);
  }, 30_000);

  it("a server whose Redis answers nothing says so once, answers /readyz 503 at once, and stops on SIGTERM", async () => {
    const port = await closedPort();
    const s = watched("server", { ...server(), REDIS_URL: `redis://127.0.0.1:${port}` });
    await waitFor(
      "the server",
      () => /listening on (\S+)/.test(s.output),
      () => s.output,
    );
    const url = /listening on (\S+)/.exec(s.output)?.[1];
    await waitFor(
      "the Redis message",
      () => cannotReach(s.output).length > 0,
      () => s.output,
    );
    const started = Date.now();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(cannotReach(s.output)).toHaveLength(1);
    const { code, seconds } = await terminate(s.child);
    expect(code).not.toBeNull();
    expect(seconds).toBeLessThan(15);
    expect(s.output).not.toMatch(STACK);
  }, 30_000);

  describe("lost while a job is in hand", () => {
    let github: FakeGitHub;
    let anthropic: FakeAnthropic;
    let release: () => void = () => undefined;
    let asked = 0;
    beforeAll(async () => {
      await requireRedis();
      github = await startFakeGitHub();
      // The planner's call never answers, so the worker holds the plan job when Redis goes.
      const held = new Promise<void>((r) => {
        release = r;
      });
      anthropic = await startFakeAnthropic({
        model: async () => {
          asked++;
          await held;
          throw new Error("released");
        },
      });
    });
    afterAll(async () => {
      release();
      await github.stop();
      await anthropic.stop();
    });

    it("a worker whose Redis is killed exits within 15 s of SIGTERM, saying 'cannot reach Redis at …' once, no stack", async () => {
      const redis = await startPrivateRedis();
      const repo = github.createRepo("acme", "lost", { "README.md": "# lost\n" });
      const spec = github.openIssue(repo, "Add search", "Search the shop.");
      const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
      const w = watched("worker", {
        REDIS_URL: redis.url,
        SWARM_PREFIX: prefix,
        GITHUB_APP_ID: String(github.app.id),
        GITHUB_PRIVATE_KEY: github.app.privateKey,
        GITHUB_API_URL: github.url,
        ANTHROPIC_API_KEY: anthropic.apiKey,
        ANTHROPIC_BASE_URL: anthropic.url,
        SWARM_RUNS_DIR: mkdtempSync(join(tmpdir(), "swarm-worker-runs-")),
        SWARM_MIRRORS_DIR: mkdtempSync(join(tmpdir(), "swarm-worker-mirrors-")),
      });
      try {
        const connection = createRedis(redis.url);
        const queue = createBullmqJobQueue(connection, prefix);
        await queue.add({
          queue: "plan",
          id: `plan-acme-lost-${spec.number}`,
          data: {
            installationId: github.app.installationId,
            repo: { owner: "acme", name: "lost" },
            spec: { number: spec.number, title: spec.title, body: spec.body },
            trigger: { kind: "label", label: "swarm" },
            sender: { login: "acme", type: "User" },
          },
        });
        await queue.close();
        connection.disconnect();
        await waitFor(
          "the planner's call",
          () => asked > 0,
          () => w.output,
          30_000,
        );

        await redis.stop();
        await waitFor(
          "the Redis message",
          () => cannotReach(w.output).length > 0,
          () => w.output,
        );
        await new Promise((r) => setTimeout(r, 1000)); // a few quiet retries
        const { code, seconds } = await terminate(w.child);
        expect(seconds, w.output).toBeLessThan(15);
        expect(code).toBe(1);
        expect(cannotReach(w.output)).toEqual([
          `swarm worker: cannot reach Redis at ${redis.url} (ECONNREFUSED); retrying quietly until it answers. Check that Redis runs there and that REDIS_URL (host, port, password) is right.`,
        ]);
        expect(w.output).toContain(
          "swarm worker: stopping without draining, since Redis does not answer; the jobs in hand are left for another worker (BullMQ's stalled-job check)",
        );
        expect(w.output).not.toMatch(STACK);
        expect(w.output).not.toContain("Unhandled error event");
      } finally {
        w.child.kill("SIGKILL");
        await redis.stop().catch(() => undefined);
      }
    }, 60_000);

    it("with Redis up, SIGTERM waits for the job in hand; a second SIGTERM stops at once", async () => {
      const repo = github.createRepo("acme", "held", { "README.md": "# held\n" });
      const spec = github.openIssue(repo, "Add search", "Search the shop.");
      const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
      const before = asked;
      const w = watched("worker", {
        SWARM_PREFIX: prefix,
        GITHUB_APP_ID: String(github.app.id),
        GITHUB_PRIVATE_KEY: github.app.privateKey,
        GITHUB_API_URL: github.url,
        ANTHROPIC_API_KEY: anthropic.apiKey,
        ANTHROPIC_BASE_URL: anthropic.url,
        SWARM_RUNS_DIR: mkdtempSync(join(tmpdir(), "swarm-worker-runs-")),
        SWARM_MIRRORS_DIR: mkdtempSync(join(tmpdir(), "swarm-worker-mirrors-")),
      });
      const connection = createRedis();
      const queue = createBullmqJobQueue(connection, prefix);
      try {
        await queue.add({
          queue: "plan",
          id: `plan-acme-held-${spec.number}`,
          data: {
            installationId: github.app.installationId,
            repo: { owner: "acme", name: "held" },
            spec: { number: spec.number, title: spec.title, body: spec.body },
            trigger: { kind: "label", label: "swarm" },
            sender: { login: "acme", type: "User" },
          },
        });
        await waitFor(
          "the planner's call",
          () => asked > before,
          () => w.output,
          30_000,
        );
        const exited = new Promise<number | null>((r) => w.child.on("exit", (code) => r(code)));
        w.child.kill("SIGTERM");
        await waitFor(
          "the drain",
          () => w.output.includes("draining (jobs in hand finish first)"),
          () => w.output,
        );
        await new Promise((r) => setTimeout(r, 1500));
        expect(w.child.exitCode, "a drain waits for the job in hand").toBeNull();
        w.child.kill("SIGTERM");
        expect(await exited).toBe(1);
        expect(w.output).toContain(
          "swarm worker: stopping now, as asked twice; the jobs in hand are left for another worker (BullMQ's stalled-job check)",
        );
        expect(cannotReach(w.output)).toEqual([]);
        expect(w.output).not.toMatch(STACK);
      } finally {
        w.child.kill("SIGKILL");
        await queue.queue("plan").obliterate({ force: true });
        await queue.close();
        connection.disconnect();
      }
    }, 60_000);
  });
});

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, "127.0.0.1", done));
  const port = (s.address() as { port: number }).port;
  await new Promise((done) => s.close(done));
  return port;
}
