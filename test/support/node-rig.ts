// One node of a plan, coded through the real node runner (createNodeRunner: the install step, the baseline,
// the sandboxed shell, the editor, the checks, the commit) over the local forge on a real git repository,
// with the real model client and SDK against the fake Messages API.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { nodeBranch } from "../../src/domain/branch/branch-names.js";
import type { Plan } from "../../src/domain/plan/plan.js";
import { createNodeRunner, type NodeRunContext } from "../../src/entry/node-runner.js";
import { createLocalForge, openLocalSpec } from "../../src/forge/local/create-local-forge.js";
import type { TraceLine } from "../../src/model/trace/trace-line.js";
import type { NodeOutcome } from "../../src/pipeline/scheduler.js";
import type { FakeAnthropic } from "./fake-anthropic/server.js";
import { modelClientFor } from "./model-rig.js";

/** The install step's downloads, shared by every test on this machine (npm verifies what it reads). */
export const TEST_DOWNLOADS = join(tmpdir(), "swarm-test-downloads");

export type NodeRig = {
  repoDir: string;
  /** Codes one node of the plan; the nodes it depends on must have been coded first. */
  code(nodeId: string, revision?: { feedback: string }): Promise<NodeOutcome>;
  /** The file as the node's branch has it, or null. */
  onBranch(nodeId: string, path: string): string | null;
  /** Files the node's branch changed, against the base. */
  changedOnBranch(nodeId: string): string[];
  /** What swarm said on the node's sub-issue: its comments, then the report its done status carries. */
  comments(nodeId: string): string[];
  /** The model calls of the run, as the trace recorded them. */
  trace(): TraceLine[];
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", ...args],
    { cwd: dir, encoding: "utf8" },
  ).trim();
}

/** A repository from a fixture folder (or files), with a spec, a plan laid out on the local forge. */
export async function startNodeRig(options: {
  anthropic: FakeAnthropic;
  fixture?: string;
  files?: Record<string, string>;
  plan: Plan;
  spec?: { title: string; body: string };
}): Promise<NodeRig> {
  const root = mkdtempSync(join(tmpdir(), "swarm-node-rig-"));
  const repoDir = join(root, "repo");
  mkdirSync(repoDir);
  if (options.fixture) cpSync(options.fixture, repoDir, { recursive: true });
  for (const [path, text] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(repoDir, path)), { recursive: true });
    writeFileSync(join(repoDir, path), text);
  }
  git(repoDir, "init", "-q", "-b", "main");
  git(repoDir, "add", "-A");
  git(repoDir, "commit", "-qm", "start");

  const spec = options.spec ?? { title: "Do the work", body: "The work of the plan." };
  const stateFile = join(root, "state.json");
  const number = openLocalSpec(stateFile, spec.title, spec.body, 1);
  const forge = createLocalForge({ repoDir, stateFile });
  const runId = `rig-${Date.now().toString(36)}`;
  const branches = Object.fromEntries(
    options.plan.nodes.map((n) => [n.id, nodeBranch(number, spec.title, n.id)]),
  );
  const nodeIssues: NodeRunContext["nodeIssues"] = {};
  for (const node of options.plan.nodes)
    nodeIssues[node.id] = await forge.ensureNodeIssue(number, node, "pending", branches[node.id] ?? "");
  await forge.ensureDashboardComment(number, "dashboard", {
    v: 1,
    spec: number,
    runId,
    status: "coding",
    summary: options.plan.summary,
    nodeOrder: options.plan.nodes.map((n) => n.id),
  });
  const runsDir = join(root, "runs");
  const { client, tracePath } = modelClientFor(options.anthropic, { runId });
  const runNode = createNodeRunner({
    forgeFor: () => forge,
    tokenFor: async () => undefined,
    model: async () => client,
    runsDir,
    cacheFor: () => TEST_DOWNLOADS,
  });
  const context: NodeRunContext = {
    installationId: 0,
    repo: { owner: "local", name: "repo" },
    spec: { number, ...spec },
    planSummary: options.plan.summary,
    plan: options.plan,
    nodeIssues,
    branches,
    base: "main",
  };
  const state = () =>
    JSON.parse(readFileSync(stateFile, "utf8")) as {
      issues: { number: number; comments: { key: string; body: string }[] }[];
      nodes: { issue: number; report?: string }[];
    };
  return {
    repoDir,
    code: (nodeId, revision) => {
      const node = options.plan.nodes.find((n) => n.id === nodeId);
      if (!node) throw new Error(`no node ${nodeId} in the plan`);
      return runNode({
        runId,
        node,
        context,
        isCancelled: async () => false,
        ...(revision ? { revision } : {}),
      });
    },
    onBranch: (nodeId, path) => {
      try {
        return execFileSync("git", ["show", `${branches[nodeId]}:${path}`], {
          cwd: repoDir,
          encoding: "utf8",
        });
      } catch {
        return null;
      }
    },
    changedOnBranch: (nodeId) => {
      const branch = branches[nodeId] ?? "";
      try {
        git(repoDir, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`);
      } catch {
        return []; // never pushed
      }
      return git(repoDir, "diff", "--name-only", "main", branch).split("\n").filter(Boolean);
    },
    comments: (nodeId) => {
      const number = nodeIssues[nodeId]?.number;
      const report = state().nodes.find((n) => n.issue === number)?.report;
      return [
        ...(state()
          .issues.find((i) => i.number === number)
          ?.comments.map((c) => c.body) ?? []),
        ...(report ? [report] : []),
      ];
    },
    trace: () =>
      readFileSync(tracePath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as TraceLine),
  };
}
