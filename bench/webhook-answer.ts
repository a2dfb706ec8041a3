// npm run bench:webhook — how fast the Probot app answers GitHub: signed issues.labeled deliveries sent one at a
// time to the real handler, which parses, decides and enqueues on the real Redis. Target: p99 under 50 ms.
import { createHmac, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import { swarmApp } from "../src/entry/app.js";
import { createBullmqJobQueue } from "../src/queue/bullmq-job-queue.js";
import { createRedis } from "../src/queue/redis.js";

const DELIVERIES = Number(process.env.DELIVERIES ?? 500);
const SECRET = "bench-secret";
const { generateKeyPairSync } = await import("node:crypto");
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const redis = createRedis();
const prefix = `{swarm-bench-${randomUUID().slice(0, 8)}}`;
const queue = createBullmqJobQueue(redis, prefix);
const probot = new Probot({
  appId: 1,
  privateKey,
  secret: SECRET,
  logLevel: "warn",
  Octokit: ProbotOctokit.defaults((o: object) => ({
    ...o,
    throttle: { enabled: false },
    retry: { enabled: false },
  })),
});
const middleware = await createNodeMiddleware(swarmApp(queue), { probot, webhooksPath: "/" });
const server = createServer((req, res) => void middleware(req, res));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

// A real payload shape: GitHub's own example of issues.labeled, with the installation an app delivery has.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
  name: string;
  examples: { action?: string }[];
}[];
const example = examples
  .find((e) => e.name === "issues")
  ?.examples.find((x) => x.action === "labeled") as Record<string, unknown> & {
  issue: { number: number };
  label: { name: string };
};
const send = async (n: number) => {
  const payload = {
    ...example,
    installation: { id: 42, node_id: "x" },
    issue: { ...example.issue, number: n },
    label: { ...example.label, name: "swarm" },
  };
  const body = JSON.stringify(payload);
  const started = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`delivery ${n} answered ${res.status}`);
  return performance.now() - started;
};

for (let i = 0; i < 20; i++) await send(100_000 + i); // warm up
const times: number[] = [];
for (let i = 0; i < DELIVERIES; i++) times.push(await send(i + 1));
const jobs = await queue.queue("plan").getJobCounts("waiting");
await queue.queue("plan").obliterate({ force: true });
await queue.close();
await redis.quit();
server.close();

const pct = (p: number) =>
  [...times].sort((a, b) => a - b)[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ??
  Number.NaN;
console.log(
  `webhook answer time: ${DELIVERIES} signed issues.labeled deliveries, one at a time, each enqueued on Redis`,
);
console.log(
  `p50 ${pct(50).toFixed(2)} ms · p90 ${pct(90).toFixed(2)} ms · p99 ${pct(99).toFixed(2)} ms · max ${pct(100).toFixed(2)} ms · jobs queued ${jobs.waiting}`,
);
console.log(
  JSON.stringify({
    bench: "webhook",
    deliveries: DELIVERIES,
    p50_ms: Number(pct(50).toFixed(2)),
    p99_ms: Number(pct(99).toFixed(2)),
    max_ms: Number(pct(100).toFixed(2)),
    jobs_queued: jobs.waiting,
    target_p99_ms: 50,
  }),
);
