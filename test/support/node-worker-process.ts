// A worker process for tests: serves the node queue of one Redis prefix, logging each node's start and end.
import { appendFileSync } from "node:fs";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisScheduler } from "../../src/queue/redis-scheduler.js";

const { PREFIX = "", LOG = "", LATENCY_MS = "300" } = process.env;
const log = (event: string, node: string) =>
  appendFileSync(LOG, `${JSON.stringify({ event, node, pid: process.pid, at: Date.now() })}\n`);
const scheduler = createRedisScheduler({
  connection: createRedis(),
  prefix: PREFIX,
  concurrency: 2,
  stalledIntervalMs: 300,
  runNode: async ({ node }) => {
    log("start", node.id);
    await new Promise((resolve) => setTimeout(resolve, Number(LATENCY_MS)));
    log("end", node.id);
    return "done";
  },
});
// SIGTERM drains: the jobs in hand finish, no new ones are taken.
process.on("SIGTERM", () => {
  void scheduler.close().then(() => process.exit(0));
});
log("ready", "-");
