// npm run bench:github — GitHub API requests per Forge operation against the fake GitHub: the first call, a
// repeat in the same process (idempotent path), and a repeat from a new process (cold caches).
import { createGitHubForge } from "../src/forge/github/create-github-forge.js";
import { createOctokit } from "../src/forge/github/create-octokit.js";
import type { Forge, IssueRef } from "../src/pipeline/forge.js";
import { startFakeGitHub } from "../test/support/fake-github/server.js";
import { pushBranch } from "../test/support/github-rig.js";
import { node } from "../test/support/plans.js";

const fake = await startFakeGitHub();
const repo = fake.createRepo("acme", "bench", { "README.md": "# bench\n", "src/index.ts": "export {};\n" });
const newForge = () =>
  createGitHubForge(
    createOctokit({
      auth: { appId: fake.app.id, privateKey: fake.app.privateKey, installationId: fake.app.installationId },
      baseUrl: fake.url,
      retryAfterBaseValue: 1,
    }),
    "acme",
    "bench",
  );
const apiRequests = () => fake.requests.filter((r) => !r.path.includes("/access_tokens")).length;

async function count(run: () => Promise<unknown>): Promise<number> {
  const before = apiRequests();
  await run();
  return apiRequests() - before;
}

type Row = { operation: string; first: number; repeat: number; newProcess: number };
const rows: Row[] = [];
async function measure(operation: string, run: (forge: Forge) => Promise<unknown>) {
  const forge = newForge();
  await count(async () => newForge().readFile("main", "README.md")); // warm each new client's token first
  const first = await count(() => run(forge));
  const repeat = await count(() => run(forge));
  const other = newForge();
  await count(() => other.readFile("main", "README.md"));
  const newProcess = await count(() => run(other));
  rows.push({ operation, first, repeat, newProcess });
}

const spec = fake.openIssue(repo, "Bench spec", "Build things.");
const nodes = Array.from({ length: 12 }, (_, i) =>
  node(`n${i}`, i > 0 ? [`n${Math.floor((i - 1) / 2)}`] : []),
);
const meta = {
  v: 1 as const,
  spec: spec.number,
  status: "coding" as const,
  summary: "12 nodes",
  nodeOrder: nodes.map((n) => n.id),
};
const branch = (id: string) => `swarm/${spec.number}-bench-spec/${id}`;

await measure("ensureDashboardComment", (f) => f.ensureDashboardComment(spec.number, "dashboard body", meta));
const refs = new Map<string, IssueRef>();
await measure("ensureNodeIssue (one node)", async (f) =>
  refs.set("n0", await f.ensureNodeIssue(spec.number, nodes[0] ?? node("n0"), "pending", branch("n0"))),
);
const materialise = newForge();
const planFirst = await count(async () => {
  for (const n of nodes)
    refs.set(n.id, await materialise.ensureNodeIssue(spec.number, n, "pending", branch(n.id)));
  for (const n of nodes)
    for (const d of n.dependsOn)
      await materialise.linkDependency(refs.get(n.id) as IssueRef, refs.get(d) as IssueRef);
});
const planAgain = await count(async () => {
  const f = newForge();
  for (const n of nodes) await f.ensureNodeIssue(spec.number, n, "pending", branch(n.id));
  for (const n of nodes)
    for (const d of n.dependsOn) await f.linkDependency(refs.get(n.id) as IssueRef, refs.get(d) as IssueRef);
});
await measure("linkDependency", (f) =>
  f.linkDependency(refs.get("n1") as IssueRef, refs.get("n0") as IssueRef),
);
await measure("setNodeStatus", (f) =>
  f.setNodeStatus(refs.get("n1") as IssueRef, spec.number, nodes[1] ?? node("n1"), "running", branch("n1")),
);
const sha = pushBranch(repo, branch("integration"));
await measure("ensurePullRequest", (f) =>
  f.ensurePullRequest({
    head: branch("integration"),
    base: "main",
    title: "Bench",
    body: "Closes #1",
    draft: true,
  }),
);
const pr = await newForge().ensurePullRequest({
  head: branch("integration"),
  base: "main",
  title: "Bench",
  body: "Closes #1",
  draft: true,
});
await measure("postReview (2 line comments)", (f) =>
  f.postReview({
    pullNumber: pr.number,
    commitSha: sha,
    key: `${sha}:1`,
    body: "Review",
    comments: [
      { path: "src/index.ts", line: 1, body: "a" },
      { path: "src/index.ts", line: 1, body: "b" },
    ],
  }),
);
const annotations = Array.from({ length: 120 }, (_, i) => ({
  path: "src/index.ts",
  startLine: i + 1,
  endLine: i + 1,
  level: "failure" as const,
  message: `m${i}`,
}));
await measure("upsertCheckRun (120 annotations)", (f) =>
  f.upsertCheckRun({
    name: "swarm",
    headSha: sha,
    status: "completed",
    conclusion: "failure",
    title: "t",
    summary: "s",
    annotations,
  }),
);
await measure("listCheckResults (1 failed run)", (f) => f.listCheckResults(sha));
await measure("readFile", (f) => f.readFile("main", "src/index.ts"));
await measure("getPermission", (f) => f.getPermission("acme"));
await measure("addReaction", (f) => f.addReaction({ issueNumber: spec.number }, "eyes"));
await measure("loadRun (12 nodes)", (f) => f.loadRun(spec.number));
await fake.stop();

console.log("GitHub API requests per Forge operation (fake GitHub, token requests not counted)");
console.log("operation                          first  repeat  new process");
for (const r of rows)
  console.log(
    `${r.operation.padEnd(34)} ${String(r.first).padStart(5)} ${String(r.repeat).padStart(7)} ${String(r.newProcess).padStart(12)}`,
  );
console.log(
  `${"materialise 12 nodes + 11 edges".padEnd(34)} ${String(planFirst).padStart(5)} ${"".padStart(7)} ${String(planAgain).padStart(12)}`,
);
const figures: Record<string, number | string> = { bench: "github" };
for (const r of rows) {
  const key = r.operation.replace(/\s*\(.*\)/, "").replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  figures[`${key}_first`] = r.first;
  figures[`${key}_repeat`] = r.repeat;
}
figures.materialise_12_nodes_first = planFirst;
figures.materialise_12_nodes_again = planAgain;
console.log(JSON.stringify(figures));
