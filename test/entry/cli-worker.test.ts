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
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import { node } from "../support/plans.js";
import { requireRedis } from "../support/require-redis.js";

const bin = resolve(import.meta.dirname, "../../bin/swarm.js");

describe("swarm worker", () => {
  it("refuses to start without its environment, naming each variable", () => {
    const r = spawnSync(process.execPath, [bin, "worker"], {
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("swarm worker cannot start; fix these environment variables:");
    expect(r.stderr).toContain("GITHUB_APP_ID: set it to the GitHub App's id (a number)");
    expect(r.stderr).toContain("GITHUB_PRIVATE_KEY: set GITHUB_PRIVATE_KEY (PEM) or GITHUB_PRIVATE_KEY_PATH");
  });

  describe("as a process against the fakes", () => {
    let github: FakeGitHub;
    let anthropic: FakeAnthropic;
    let child: ChildProcess | undefined;
    const redis = createRedis();
    beforeAll(async () => {
      await requireRedis();
      github = await startFakeGitHub();
      const plan = {
        summary: "Two nodes.",
        nodes: [node("api", [], ["src/api/**"]), node("docs", ["api"], ["README.md"], { role: "docs" })],
      };
      anthropic = await startFakeAnthropic({
        model: (req: MessageCreateParams) => {
          if (JSON.stringify(req.system).includes("You are the planner of swarm")) return reply.json(plan);
          const id = /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(req.messages[0]))?.[1] ?? "";
          const turn = req.messages.filter((m) => m.role === "assistant").length;
          if (turn === 0)
            return reply.tool("create_file", {
              path: id === "api" ? "src/api/api.ts" : "README.md",
              text: `// ${id}\n`,
            });
          if (turn === 1) return reply.tool("finish", { summary: `Built ${id}.`, handoff: "" });
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

    it("plans and codes a run queued on Redis, then drains on SIGTERM", async () => {
      const repo = github.createRepo("acme", "solo", { "README.md": "# solo\n" });
      const spec = github.openIssue(repo, "Add the API", "Add an API module and document it.");
      const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
      const mirrorsDir = mkdtempSync(join(tmpdir(), "swarm-worker-mirrors-"));
      child = spawn(process.execPath, [bin, "worker"], {
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
          SWARM_MIRRORS_DIR: mirrorsDir,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout?.on("data", (d) => {
        output += d;
      });
      child.stderr?.on("data", (d) => {
        output += d;
      });
      const queue = createBullmqJobQueue(redis, prefix);
      await queue.add({
        queue: "plan",
        id: `plan-acme-solo-${spec.number}`,
        data: {
          installationId: github.app.installationId,
          repo: { owner: "acme", name: "solo" },
          spec: { number: spec.number, title: spec.title, body: spec.body },
          trigger: { kind: "label", label: "swarm" },
          sender: { login: "acme", type: "User" },
        },
      });
      const nodes = () =>
        [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
      const deadline = Date.now() + 30_000;
      while (!(nodes().length === 2 && nodes().every((i) => i.state === "closed"))) {
        if (Date.now() > deadline) throw new Error(`the worker did not finish the run:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(nodes().map((i) => readMarker(i.body, "node")?.status)).toEqual(["done", "done"]);
      // Both nodes' copies came through one mirror of the repository.
      expect(readdirSync(mirrorsDir).filter((n) => n.endsWith(".git"))).toHaveLength(1);

      const exited = new Promise<number | null>((r) => child?.on("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain("swarm worker: draining (jobs in hand finish first)");
      await queue.queue("plan").obliterate({ force: true });
      await queue.close();
    }, 60_000);
  });
});
