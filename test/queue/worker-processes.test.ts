import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisScheduler } from "../../src/queue/redis-scheduler.js";
import { node, plan } from "../support/plans.js";
import { requireRedis } from "../support/require-redis.js";

type Line = { event: string; node: string; pid: number; at: number };
const script = resolve(import.meta.dirname, "../support/node-worker-process.ts");
const redis = createRedis();
const children: ChildProcess[] = [];
beforeAll(() => requireRedis());
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await redis.quit();
});

function startWorker(prefix: string, log: string): ChildProcess {
  // node --import tsx, not the tsx command: that one runs the script in a child, which a kill would miss.
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, PREFIX: prefix, LOG: log, LATENCY_MS: "400" },
    stdio: "ignore",
  });
  children.push(child);
  return child;
}
const lines = (log: string): Line[] => {
  try {
    return readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);
  } catch {
    return [];
  }
};
async function until(check: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

it("shares a run between two worker processes; SIGKILL one mid-node and the run still completes, once per node", async () => {
  const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
  const log = join(mkdtempSync(join(tmpdir(), "swarm-workers-")), "log.jsonl");
  const first = startWorker(prefix, log);
  const second = startWorker(prefix, log);
  await until(() => lines(log).filter((l) => l.event === "ready").length === 2);

  const ids = Array.from({ length: 6 }, (_, i) => `n${i}`);
  const coordinator = createRedisScheduler({ connection: redis, prefix }); // starts and watches; codes nothing
  const runId = randomUUID().slice(0, 8);
  await coordinator.start({
    runId,
    plan: plan(...ids.map((id) => node(id))),
    maxParallel: 4,
    priorities: {},
    context: null,
  });

  // Kill the first worker while it is in the middle of a node.
  await until(() => lines(log).some((l) => l.event === "start" && l.pid === first.pid));
  const killedNode = lines(log).find((l) => l.event === "start" && l.pid === first.pid)?.node;
  first.kill("SIGKILL");
  const states = await coordinator.settled(runId);
  await coordinator.close();

  expect(states).toEqual(Object.fromEntries(ids.map((id) => [id, "done"])));
  const ends = lines(log).filter((l) => l.event === "end");
  // Every node finished exactly once; the one cut off by the kill was finished by the other worker.
  expect(ends.map((l) => l.node).sort()).toEqual(ids);
  expect(ends.find((l) => l.node === killedNode)?.pid).toBe(second.pid);
  // Both processes took work from the one queue.
  const starters = new Set(
    lines(log)
      .filter((l) => l.event === "start")
      .map((l) => l.pid),
  );
  expect(starters).toEqual(new Set([first.pid, second.pid]));

  // SIGTERM drains: the survivor exits cleanly.
  const exited = new Promise<number | null>((r) => second.on("exit", (code) => r(code)));
  second.kill("SIGTERM");
  expect(await exited).toBe(0);
}, 40_000);
