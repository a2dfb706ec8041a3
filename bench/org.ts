// npm run bench:org [-- --runs N] — one organisation's installation under load: N runs of four nodes (20 by
// default) labelled together, served by three `swarm worker` processes on one Redis, the scripted model at
// 200 ms a call, and the fake GitHub enforcing GitHub's limits (80 content-creating requests a minute, 5000
// requests an hour). `swarm server` receives the fake's signed webhooks (the labels, the checks). Prints the
// requests, the busiest minute of writes, the limit answers, the 304s, the time until every PR is green, and
// whether anything was created twice; ends with a JSON line.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readMarker } from "../src/domain/markers.js";
import { startFakeAnthropic } from "../test/support/fake-anthropic/server.js";
import { isWrite, startFakeGitHub } from "../test/support/fake-github/server.js";
import type { Issue, RepoState } from "../test/support/fake-github/state.js";
import { dashboardOf } from "../test/support/fake-github/views.js";
import { createStatsLibraryRepo, statsLibraryModel } from "../test/support/stats-library.js";

const arg = process.argv.indexOf("--runs");
const RUNS = arg > 0 ? Number(process.argv[arg + 1]) : 20;
const WORKERS = 3;
const NODES = 4;
const MINUTE = 60_000;
const root = resolve(import.meta.dirname, "..");

const github = await startFakeGitHub();
const anthropic = await startFakeAnthropic({
  model: async (req) => ({ ...(await statsLibraryModel(req)), latencyMs: 200 }),
});
const prefix = `swarm-bench-${randomUUID().slice(0, 8)}`;

const SECRET = "bench-webhook-secret";
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "/root",
  REDIS_URL: "redis://127.0.0.1:6379",
  SWARM_PREFIX: prefix,
  GITHUB_API_URL: github.url,
};
const server = spawn(process.execPath, [join(root, "bin/swarm.js"), "server"], {
  env: {
    ...env,
    PORT: "0",
    HOST: "127.0.0.1",
    APP_ID: String(github.app.id),
    PRIVATE_KEY: github.app.privateKey,
    WEBHOOK_SECRET: SECRET,
  },
  stdio: ["ignore", "pipe", "pipe"],
});
const serverUrl = await new Promise<string>((done, fail) => {
  let out = "";
  server.stdout?.on("data", (chunk) => {
    out += chunk;
    const found = /listening on (\S+)/.exec(out)?.[1];
    if (found) done(found);
  });
  server.on("exit", (code) => fail(new Error(`swarm server exited (${code}): ${out}`)));
});
github.webhooks.deliverTo(`${serverUrl}/api/github/webhooks`, SECRET);

const workers: ChildProcess[] = [];
const logs: string[] = [];
for (let i = 0; i < WORKERS; i++) {
  const child = spawn(process.execPath, [join(root, "bin/swarm.js"), "worker"], {
    env: {
      ...env,
      GITHUB_APP_ID: String(github.app.id),
      GITHUB_PRIVATE_KEY: github.app.privateKey,
      ANTHROPIC_API_KEY: anthropic.apiKey,
      ANTHROPIC_BASE_URL: anthropic.url,
      SWARM_RUNS_DIR: mkdtempSync(join(tmpdir(), "swarm-bench-runs-")),
      SWARM_MIRRORS_DIR: mkdtempSync(join(tmpdir(), "swarm-bench-mirrors-")),
      SWARM_CACHE_DIR: mkdtempSync(join(tmpdir(), "swarm-bench-cache-")),
      SWARM_CONCURRENCY: "4",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => logs.push(`[worker ${i}] ${d}`));
  child.stderr?.on("data", (d) => logs.push(`[worker ${i}] ${d}`));
  workers.push(child);
}

const runs: { repo: RepoState; spec: Issue }[] = [];
for (let i = 0; i < RUNS; i++) {
  const repo = createStatsLibraryRepo(github, `org${i}`);
  repo.permissions.set("maintainer", "write");
  const spec = github.openIssue(repo, "Stats library (correct)", "A mean and a summary line.");
  runs.push({ repo, spec });
}
const started = Date.now();
const from = github.requests.length;
for (const { repo, spec } of runs)
  github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });

const statusOf = (r: (typeof runs)[number]) =>
  readMarker(dashboardOf(r.repo, r.spec)?.body, "dashboard")?.status;
const FINAL = new Set(["green", "failed", "unverified", "cancelled"]);
const deadline = started + 45 * MINUTE;
let lastSaid = 0;
while (!runs.every((r) => FINAL.has(statusOf(r) ?? "")) && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 500));
  if (Date.now() - lastSaid > 30_000) {
    lastSaid = Date.now();
    const green = runs.filter((r) => statusOf(r) === "green").length;
    process.stderr.write(
      `bench:org: ${green} of ${RUNS} green after ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }
}
const wallS = (Date.now() - started) / 1000;
for (const w of [...workers, server]) w.kill("SIGTERM");
await Promise.all(
  [...workers, server].map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.on("exit", r)))),
);

const made = github.requests.slice(from).filter((r) => !r.path.includes("/access_tokens"));
const writes = made.filter(isWrite).map((r) => r.at);
let busiestMinute = 0;
for (let i = 0, j = 0; i < writes.length; i++) {
  while ((writes[i] ?? 0) - (writes[j] ?? 0) >= MINUTE) j++;
  busiestMinute = Math.max(busiestMinute, i - j + 1);
}
const reads = made.filter((r) => r.method === "GET");
const notModified = reads.filter((r) => r.status === 304).length;
const statuses = runs.map(statusOf);
const green = statuses.filter((s) => s === "green").length;
// Anything created twice: per run, its sub-issues by node, its dashboards, and the repository's PRs.
const duplicates: string[] = [];
for (const { repo, spec } of runs) {
  const nodes = [...repo.issues.values()]
    .map((i) => readMarker(i.body, "node"))
    .filter((m) => m?.spec === spec.number)
    .map((m) => m?.node.id);
  if (nodes.length !== new Set(nodes).size) duplicates.push(`${repo.name}: sub-issues ${nodes.join(", ")}`);
  const dashboards = [...repo.comments.values()].filter(
    (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
  );
  if (dashboards.length > 1) duplicates.push(`${repo.name}: ${dashboards.length} dashboards`);
  if (repo.pulls.size > 1) duplicates.push(`${repo.name}: ${repo.pulls.size} pull requests`);
}

console.log(
  `${RUNS} runs of ${NODES} nodes on one installation, ${WORKERS} swarm worker processes, model 200 ms a call`,
);
console.log(
  `runs green                                 ${green} of ${RUNS}${green < RUNS ? ` (${statuses.join(", ")})` : ""}`,
);
console.log(`time until the last run ended              ${wallS.toFixed(1)} s`);
console.log(`nodes per minute                           ${((green * NODES) / (wallS / 60)).toFixed(1)}`);
console.log(
  `API requests                               ${made.length} (${(made.length / (RUNS * NODES)).toFixed(1)} per node)`,
);
console.log(
  `content-creating requests                  ${writes.length} (${(writes.length / RUNS).toFixed(1)} per run)`,
);
console.log(`most content-creating in any minute        ${busiestMinute} (GitHub's limit: 80)`);
// GitHub's other content-creating limit is 500 an hour: at this many writes a run, how many runs fit in one.
const runsPerHour = Math.floor(500 / Math.max(1, writes.length / RUNS));
console.log(
  `runs of ${NODES} nodes an hour on one installation  ${runsPerHour} (GitHub allows 500 content-creating requests an hour)`,
);
console.log(`secondary-limit answers                    ${github.secondaryLimitAnswers}`);
console.log(`primary-limit answers                      ${github.primaryLimitAnswers}`);
console.log(
  `reads answered 304                         ${notModified} of ${reads.length} (${((100 * notModified) / Math.max(1, reads.length)).toFixed(0)}%)`,
);
console.log(
  `created twice                              ${duplicates.length === 0 ? "nothing" : duplicates.join("; ")}`,
);
console.log(`contract violations                        ${github.violations.length}`);
if (green < RUNS) console.log(logs.slice(-20).join(""));
console.log(
  JSON.stringify({
    bench: "org",
    runs: RUNS,
    workers: WORKERS,
    green,
    wall_s: Number(wallS.toFixed(1)),
    nodes_per_minute: Number(((green * NODES) / (wallS / 60)).toFixed(2)),
    requests: made.length,
    requests_per_node: Number((made.length / (RUNS * NODES)).toFixed(2)),
    writes: writes.length,
    max_writes_per_minute: busiestMinute,
    runs_per_hour_by_writes: runsPerHour,
    secondary_limit_answers: github.secondaryLimitAnswers,
    primary_limit_answers: github.primaryLimitAnswers,
    reads_304_share: Number((notModified / Math.max(1, reads.length)).toFixed(3)),
    duplicates: duplicates.length,
    violations: github.violations.length,
  }),
);
await github.stop();
await anthropic.stop();
process.exit(green === RUNS && duplicates.length === 0 ? 0 : 1);
