import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { createBullmqJobQueue } from "../../src/queue/bullmq-job-queue.js";
import { createRedis } from "../../src/queue/redis.js";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { git as gitIn } from "../support/fake-github/bare-repo.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { Issue } from "../support/fake-github/state.js";
import { node } from "../support/plans.js";
import { requireRedis } from "../support/require-redis.js";

const bin = resolve(import.meta.dirname, "../../bin/swarm.js");

describe("swarm worker", () => {
  it("refuses to start without its environment, naming each variable", () => {
    const r = spawnSync(process.execPath, [bin, "worker"], {
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "swarm worker: cannot start: 3 environment variables are missing or malformed.",
    );
    expect(r.stderr).toContain("- GITHUB_APP_ID is not set; set it to the GitHub App's id (a number");
    expect(r.stderr).toContain("- GITHUB_PRIVATE_KEY is not set; set it to the App's private key");
    expect(r.stderr).toContain("or set GITHUB_PRIVATE_KEY_PATH to its path");
    expect(r.stderr).toContain("- ANTHROPIC_API_KEY is not set; set it to an Anthropic API key");
  });

  describe("as a process against the fakes", () => {
    let github: FakeGitHub;
    let anthropic: FakeAnthropic;
    let child: ChildProcess | undefined;
    const redis = createRedis();
    /** When set, the first node's first model call hangs, so a test can kill its worker mid-node. */
    let stall: { first?: string; started: Set<string> } | undefined;
    /** When set, the planner answers with this plan instead of the two-node one. */
    let planOverride: object | undefined;
    beforeAll(async () => {
      await requireRedis();
      github = await startFakeGitHub();
      const plan = {
        summary: "Two nodes.",
        nodes: [node("api", [], ["src/api/**"]), node("docs", ["api"], ["README.md"], { role: "docs" })],
      };
      anthropic = await startFakeAnthropic({
        model: async (req: MessageCreateParams) => {
          if (JSON.stringify(req.system).includes("You are the planner of swarm"))
            return reply.json(planOverride ?? plan);
          const id = /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(req.messages[0]))?.[1] ?? "";
          const turn = req.messages.filter((m) => m.role === "assistant").length;
          if (turn === 0 && stall) stall.started.add(id);
          if (turn === 0 && stall && stall.first === undefined) {
            stall.first = id;
            await new Promise((r) => setTimeout(r, 4000)); // the worker is killed while it waits
          }
          if (turn === 0)
            return call.create(id === "docs" ? "README.md" : `src/${id}/${id}.ts`, `// ${id}\n`);
          if (turn === 1) return call.finish(`Built ${id}.`);
          return reply.text("Done.");
        },
      });
    });
    afterAll(async () => {
      child?.kill("SIGKILL");
      await redis.quit();
      await github.stop();
      await anthropic.stop();
    });

    /** `swarm worker` as its own process on `prefix`, against the fakes; its output is collected. */
    function spawnWorker(prefix: string, env: Record<string, string> = {}) {
      const proc = spawn(process.execPath, [bin, "worker"], {
        env: {
          PATH: process.env.PATH ?? "",
          REDIS_URL: "redis://127.0.0.1:6379",
          SWARM_PREFIX: prefix,
          GITHUB_APP_ID: String(github.app.id),
          GITHUB_PRIVATE_KEY: github.app.privateKey,
          GITHUB_API_URL: github.url,
          ANTHROPIC_API_KEY: anthropic.apiKey,
          ANTHROPIC_BASE_URL: anthropic.url,
          SWARM_RUNS_DIR: mkdtempSync(join(tmpdir(), "swarm-worker-runs-")),
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const worker = { child: proc, output: "" };
      proc.stdout?.on("data", (d) => {
        worker.output += d;
      });
      proc.stderr?.on("data", (d) => {
        worker.output += d;
      });
      return worker;
    }

    /** Queues the plan job that labelling `spec` in acme/`name` would queue. */
    async function queuePlan(prefix: string, name: string, spec: Issue) {
      const queue = createBullmqJobQueue(redis, prefix);
      await queue.add({
        queue: "plan",
        id: `plan-acme-${name}-${spec.number}`,
        data: {
          installationId: github.app.installationId,
          repo: { owner: "acme", name },
          spec: { number: spec.number, title: spec.title, body: spec.body },
          trigger: { kind: "label", label: "swarm" },
          sender: { login: "acme", type: "User" },
        },
      });
      return queue;
    }

    it("plans and codes a run queued on Redis, then drains on SIGTERM", async () => {
      const repo = github.createRepo("acme", "solo", { "README.md": "# solo\n" });
      const spec = github.openIssue(repo, "Add the API", "Add an API module and document it.");
      const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
      const mirrorsDir = mkdtempSync(join(tmpdir(), "swarm-worker-mirrors-"));
      const worker = spawnWorker(prefix, { SWARM_MIRRORS_DIR: mirrorsDir });
      child = worker.child;
      const output = () => worker.output;
      const queue = await queuePlan(prefix, "solo", spec);
      const nodes = () =>
        [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
      const deadline = Date.now() + 30_000;
      while (!(nodes().length === 2 && nodes().every((i) => i.state === "closed"))) {
        if (Date.now() > deadline) throw new Error(`the worker did not finish the run:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(nodes().map((i) => readMarker(i.body, "node")?.status)).toEqual(["done", "done"]);
      // Both nodes' copies came through one mirror of the repository.
      expect(readdirSync(mirrorsDir).filter((n) => n.endsWith(".git"))).toHaveLength(1);
      // What the worker did is summed in Redis for `swarm server`'s /metrics.
      let metrics: Record<string, string> = {};
      for (let i = 0; i < 250 && metrics["job_count|node|ok"] !== "2"; i++) {
        metrics = await redis.hgetall(`${prefix}:metrics`);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(metrics["job_count|plan|ok"]).toBe("1");
      expect(metrics["job_count|node|ok"]).toBe("2");
      expect(Object.keys(metrics).some((k) => k.startsWith("tokens|planner|"))).toBe(true);
      expect(Object.keys(metrics).some((k) => k.startsWith("tokens|coder|"))).toBe(true);
      expect(Number(metrics[`ratelimit_remaining|${github.app.installationId}`])).toBeLessThan(5000);

      const exited = new Promise<number | null>((r) => child?.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output()).toContain("swarm worker: draining (jobs in hand finish first)");
      await queue.queue("plan").obliterate({ force: true });
      await queue.close();
      await redis.del(`${prefix}:metrics`);
    }, 60_000);

    it("two workers share a run; SIGKILL one mid-node, another after a push: each node has one commit series and one summary", async () => {
      const repo = github.createRepo("acme", "killed", { "README.md": "# killed\n" });
      const spec = github.openIssue(
        repo,
        "Add the API and web",
        "Add API and web modules and document them.",
      );
      const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
      const env = { SWARM_STALLED_INTERVAL_MS: "300", SWARM_CONCURRENCY: "1" };
      planOverride = {
        summary: "Three nodes.",
        nodes: [
          node("api", [], ["src/api/**"]),
          node("web", [], ["src/web/**"]),
          node("docs", ["api", "web"], ["README.md"], { role: "docs" }),
        ],
      };
      stall = { started: new Set() };
      const nodes = () =>
        [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
      const waitFor = async (what: string, done: () => boolean, output: () => string) => {
        const deadline = Date.now() + 15_000;
        while (!done()) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const exit = (w: ReturnType<typeof spawnWorker>) =>
        new Promise((r) =>
          w.child.exitCode === null && w.child.signalCode === null ? w.child.on("exit", r) : r(null),
        );
      const first = spawnWorker(prefix, env);
      const queue = await queuePlan(prefix, "killed", spec);
      // The first worker (one job at a time) hangs in the first node; the second takes up the other one.
      await waitFor(
        "a first node to start",
        () => stall?.first !== undefined,
        () => first.output,
      );
      const second = spawnWorker(prefix, env);
      await waitFor(
        "the second worker to start the other node",
        () => stall?.started.size === 2,
        () => second.output,
      );
      first.child.kill("SIGKILL");
      await exit(first);

      // The second dies just after pushing a node, as the edit that marks it done (with its report) arrives:
      // that edit reaches GitHub, but the worker never records it in Redis.
      const statuses = () => nodes().map((i) => readMarker(i.body, "node")?.status);
      let statusAtKill: (string | undefined)[] | undefined;
      github.onRequest((method, template) => {
        if (method !== "PATCH" || template !== "/repos/{owner}/{repo}/issues/{issue_number}") return;
        if (statusAtKill !== undefined) return;
        statusAtKill = statuses();
        second.child.kill("SIGKILL");
      });
      await waitFor(
        "a node's done edit",
        () => statusAtKill !== undefined,
        () => second.output,
      );
      // Coding started is kept in Redis only: GitHub's record of every node still says it waits.
      expect(statusAtKill).toEqual(["ready", "ready", "pending"]);
      await exit(second);

      const third = spawnWorker(prefix, env);
      child = third.child;
      await waitFor(
        "the third worker to finish the run",
        () => nodes().length === 3 && nodes().every((i) => i.state === "closed"),
        () => third.output,
      );
      expect(nodes().map((i) => readMarker(i.body, "node")?.status)).toEqual(["done", "done", "done"]);
      for (const issue of nodes()) {
        const branch = readMarker(issue.body, "node")?.branch;
        expect(branch, issue.title).toMatch(/^swarm\//);
        // One commit per node on the branch: its own, plus (for docs) each dependency's once and their merge.
        const made = [
          ...gitIn(repo.bare, "log", "--format=%B", `main..${branch}`).matchAll(/^Node ([a-z]+) of #/gm),
        ].map((m) => m[1]);
        const id = readMarker(issue.body, "node")?.node.id;
        expect(made.sort(), `${branch}`).toEqual(id === "docs" ? ["api", "docs", "web"] : [id]);
        // One report, in its body; no comment of its own.
        expect((issue.body ?? "").split("is done**").length - 1, issue.title).toBe(1);
        expect(
          [...repo.comments.values()].filter((c) => c.issueNumber === issue.number),
          issue.title,
        ).toEqual([]);
      }
      const exited = new Promise<number | null>((r) => third.child.on("exit", (code) => r(code)));
      third.child.kill("SIGTERM");
      expect(await exited).toBe(0);
      stall = undefined;
      planOverride = undefined;
      await queue.queue("plan").obliterate({ force: true });
      await queue.close();
    }, 60_000);
  });
});
