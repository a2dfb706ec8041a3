import type { PlanNode } from "../../src/domain/plan/plan.js";
import { createGitHubForge } from "../../src/forge/github/create-github-forge.js";
import { createOctokit, type GitHubClient } from "../../src/forge/github/create-octokit.js";
import type { IssueRef } from "../../src/pipeline/forge.js";
import { git } from "./fake-github/bare-repo.js";
import type { FakeGitHub } from "./fake-github/server.js";
import type { RepoState } from "./fake-github/state.js";
import { must, node } from "./plans.js";

/** Octokit through real GitHub App auth (a signed JWT, then an installation token) against the fake. */
export function octokitFor(
  fake: FakeGitHub,
  writeLimits?: { max: number; windowMs: number }[],
): GitHubClient {
  return createOctokit({
    auth: { appId: fake.app.id, privateKey: fake.app.privateKey, installationId: fake.app.installationId },
    baseUrl: fake.url,
    retryAfterBaseValue: 1,
    ...(writeLimits ? { writeLimits } : {}),
  });
}

export function forgeFor(
  fake: FakeGitHub,
  repo: RepoState,
  options: Parameters<typeof createGitHubForge>[3] = {},
) {
  return createGitHubForge(octokitFor(fake), repo.owner.login, repo.name, options);
}

/** A branch in the fake's bare repository, pointing at a new commit on top of `from`. */
export function pushBranch(repo: RepoState, branch: string, from = "main"): string {
  const tree = git(repo.bare, "rev-parse", `${from}^{tree}`);
  const parent = git(repo.bare, "rev-parse", from);
  const sha = git(repo.bare, "commit-tree", tree, "-p", parent, "-m", `work on ${branch}`);
  git(repo.bare, "update-ref", `refs/heads/${branch}`, sha);
  return sha;
}

/**
 * A run laid out on GitHub through the forge, as far as a PR: a dashboard, three node issues (db done, api
 * running, ui pending; api blocked by db), the pushed branches of db, api and the integration, and a draft
 * PR. What the rebuild tests read back.
 */
export async function layOutRun(fake: FakeGitHub, repo: RepoState, title = "Load me") {
  const spec = fake.openIssue(repo, title, "Spec body");
  const nodes: PlanNode[] = [
    node("db", [], ["src/db/**"], { size: "L" }),
    node("api", ["db"], ["src/api/**"]),
    node("ui", [], ["src/ui/**"], { role: "implement" }),
  ];
  const plan = { summary: "Three nodes.", nodes };
  const branch = (id: string) => `swarm/${spec.number}-load-me/${id}`;
  const forge = forgeFor(fake, repo);
  await forge.ensureDashboardComment(spec.number, "dashboard", {
    v: 1,
    spec: spec.number,
    status: "coding",
    summary: plan.summary,
    nodeOrder: nodes.map((n) => n.id),
  });
  const refs = new Map<string, IssueRef>();
  for (const n of nodes) refs.set(n.id, await forge.ensureNodeIssue(spec.number, n, "pending", branch(n.id)));
  const ref = (id: string) => must(refs.get(id), `issue of ${id}`);
  await forge.linkDependency(ref("api"), ref("db"));
  await forge.setNodeStatus(ref("db"), spec.number, must(nodes[0], "db"), "done", branch("db"));
  await forge.setNodeStatus(ref("api"), spec.number, must(nodes[1], "api"), "running", branch("api"));
  const shas = {
    db: pushBranch(repo, branch("db")),
    api: pushBranch(repo, branch("api"), branch("db")),
    integration: pushBranch(repo, branch("integration")),
  };
  const pr = await forge.ensurePullRequest({
    head: branch("integration"),
    base: "main",
    title,
    body: `Closes #${spec.number}`,
    draft: true,
  });
  return { spec, plan, nodes, branch, forge, refs, shas, pr };
}
