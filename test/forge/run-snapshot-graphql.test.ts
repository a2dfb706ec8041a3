import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { renderMarker } from "../../src/domain/markers.js";
import type { PlanNode } from "../../src/domain/plan/plan.js";
import { type GitHubContext, NODE_LABEL } from "../../src/forge/github/context.js";
import { nodeIssueBody } from "../../src/forge/github/node-issue-body.js";
import { createMemoryRunMemo } from "../../src/forge/github/run-memo.js";
import { type RunSnapshot, readRunSnapshotRest, snapshotOf } from "../../src/forge/github/run-snapshot.js";
import { readRunSnapshotGraphql } from "../../src/forge/github/run-snapshot-graphql.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { forgeFor, layOutRun, octokitFor, pushBranch } from "../support/github-rig.js";
import { node } from "../support/plans.js";

let fake: FakeGitHub;
let repo: RepoState;
beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "shop", { "README.md": "# shop\n" });
});
afterAll(() => fake.stop());
// Every request must be one GitHub would take (a GraphQL error is a violation too), and so must the answers.
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const contextFor = (): GitHubContext => ({
  octokit: octokitFor(fake),
  owner: repo.owner.login,
  repo: repo.name,
  memo: createMemoryRunMemo(),
  nodeScans: new Map(),
  dashboards: new Map(),
  noDashboard: new Set(),
  blockedBy: new Map(),
});

/** Both readers on the same state, each with a fresh client, and the requests each made. */
async function readBoth(spec: number) {
  const counted = async (read: () => Promise<RunSnapshot | null>) => {
    const since = fake.requests.length;
    const snapshot = await read();
    const made = fake.requests.slice(since).filter((r) => !r.path.includes("access_tokens"));
    return {
      snapshot,
      graphql: made.filter((r) => r.template === "graphql").length,
      restGets: made.filter((r) => r.method === "GET").length,
    };
  };
  const rest = await counted(() => readRunSnapshotRest(contextFor(), spec));
  const gql = await counted(async () => snapshotOf(await readRunSnapshotGraphql(contextFor(), spec)));
  return { rest, gql };
}

/** Same snapshot, node issues in the same order too (toEqual does not compare a Map's order). */
function expectSame(gql: RunSnapshot | null, rest: RunSnapshot | null) {
  expect(gql).toEqual(rest);
  expect([...(gql?.scan.byNode.keys() ?? [])]).toEqual([...(rest?.scan.byNode.keys() ?? [])]);
}

const meta = (spec: number, nodeOrder: string[]) => ({
  v: 1 as const,
  spec,
  status: "coding" as const,
  summary: "A run.",
  nodeOrder,
});

/** A comment written straight into the fake's state (no request), for tests that need many. */
function addComment(issue: Issue, body: string) {
  const now = fake.state.now();
  const comment = {
    id: fake.state.id(),
    issueNumber: issue.number,
    body,
    user: repo.owner,
    reactions: [],
    createdAt: now,
    updatedAt: now,
  };
  repo.comments.set(comment.id, comment);
  return comment;
}

/** A labelled node issue written straight into the fake's state, not linked to any spec. */
const addNodeIssue = (spec: number, n: PlanNode) =>
  fake.state.addIssue(repo, {
    title: `[${n.id}] ${n.title}`,
    body: nodeIssueBody(spec, n, "pending", `swarm/${spec}-x/${n.id}`),
    labels: [NODE_LABEL],
    user: repo.owner,
  });

describe("readRunSnapshotGraphql", () => {
  it("reads what REST reads, in one request", async () => {
    const { spec, branch, pr } = await layOutRun(fake, repo);
    // Another spec's branch, which the `query` on refs also matches (it matches anywhere in the name).
    pushBranch(repo, `swarm/99999${spec.number}-other/db`);

    const { rest, gql } = await readBoth(spec.number);
    expectSame(gql.snapshot, rest.snapshot);
    expect(gql.snapshot?.pullRequest).toEqual(pr);
    expect(Object.keys(gql.snapshot?.branches ?? {}).sort()).toEqual(
      [branch("api"), branch("db"), branch("integration")].sort(),
    );
    expect(gql.snapshot?.scan.byNode.get("db")?.body).toContain("swarm:node");
    expect({ graphql: gql.graphql, restGets: gql.restGets }).toEqual({ graphql: 1, restGets: 0 });
    expect(rest.restGets).toBeGreaterThanOrEqual(5);
    expect(rest.graphql).toBe(0);
  });

  it("says there is no run when the spec has no dashboard", async () => {
    const spec = fake.openIssue(repo, "No run", "Spec body");
    addComment(spec, "Just a person talking.");
    const { rest, gql } = await readBoth(spec.number);
    expect(rest.snapshot).toBeNull();
    expect(gql.snapshot).toBeNull();
    expect(gql.graphql).toBe(1);
  });

  it("pages past 100 comments and 100 labelled issues, asking again only for those", async () => {
    const spec = fake.openIssue(repo, "Paged", "Spec body");
    // Node issues are read newest first, so this one, made before the others, is only on the second page.
    const early = addNodeIssue(spec.number, node("early"));
    for (let i = 0; i < 110; i++) addNodeIssue(100_000 + i, node(`other${i}`));
    for (let i = 1; i < 120; i++) addComment(spec, `Comment ${i}`);
    const forge = forgeFor(fake, repo);
    await forge.ensureDashboardComment(spec.number, "dashboard", meta(spec.number, []));
    for (let i = 121; i <= 130; i++) addComment(spec, `Comment ${i}`);
    await forge.ensureNodeIssue(spec.number, node("late"), "pending", `swarm/${spec.number}-paged/late`);
    pushBranch(repo, `swarm/${spec.number}-paged/integration`);

    const { rest, gql } = await readBoth(spec.number);
    expectSame(gql.snapshot, rest.snapshot);
    const comments = [...repo.comments.values()].filter((c) => c.issueNumber === spec.number);
    expect(comments).toHaveLength(130);
    expect(comments.findIndex((c) => c.body.includes("swarm:dashboard"))).toBe(119);
    expect(gql.snapshot?.dashboard.id).toBe(comments[119]?.id);
    expect(gql.snapshot?.scan.byNode.get("early")?.id).toBe(early.id);
    expect([...(gql.snapshot?.scan.byNode.keys() ?? [])]).toEqual(["late", "early"]);
    // The first request, then one more for the comments and the labelled issues together.
    expect(gql.graphql).toBe(2);
    expect(gql.restGets).toBe(0);
    expect(rest.restGets).toBeGreaterThan(gql.graphql);
    const followUp = fake.requests.filter((r) => r.template === "graphql").at(-1)?.body as { query: string };
    expect(followUp.query).toContain("comments(");
    expect(followUp.query).toContain("nodeIssues:");
    expect(followUp.query).not.toContain("subIssues(");
    expect(followUp.query).not.toContain("refs(");
  });

  it("reads no further page once the comments show there is no run", async () => {
    const labelled = () => [...repo.issues.values()].filter((i) => i.labels.includes(NODE_LABEL)).length;
    for (let i = 0; labelled() <= 100; i++) addNodeIssue(200_000 + i, node(`more${i}`));
    const spec = fake.openIssue(repo, "Still no run", "Spec body");
    const { rest, gql } = await readBoth(spec.number);
    expect(rest.snapshot).toBeNull();
    expect(gql.snapshot).toBeNull();
    expect(gql.graphql).toBe(1);
  });

  it("takes only the open PR of the integration branch", async () => {
    const spec = fake.openIssue(repo, "Pulls", "Spec body");
    const branch = (id: string) => `swarm/${spec.number}-pulls/${id}`;
    const forge = forgeFor(fake, repo);
    await forge.ensureDashboardComment(spec.number, "dashboard", meta(spec.number, []));
    pushBranch(repo, branch("db"));
    pushBranch(repo, branch("integration"));
    const octokit = octokitFor(fake);
    const open = (head: string) =>
      octokit.rest.pulls.create({
        owner: repo.owner.login,
        repo: repo.name,
        head,
        base: "main",
        title: head,
      });
    const closed = await open(branch("integration"));
    await octokit.rest.pulls.update({
      owner: repo.owner.login,
      repo: repo.name,
      pull_number: closed.data.number,
      state: "closed",
    });
    await open(branch("db"));

    const before = await readBoth(spec.number);
    expectSame(before.gql.snapshot, before.rest.snapshot);
    expect(before.gql.snapshot?.pullRequest).toBeNull();

    const { data: reopened } = await open(branch("integration"));
    const after = await readBoth(spec.number);
    expectSame(after.gql.snapshot, after.rest.snapshot);
    expect(after.gql.snapshot?.pullRequest).toEqual({
      number: reopened.number,
      url: reopened.html_url,
      headSha: reopened.head.sha,
      draft: false,
      nodeId: reopened.node_id,
    });
  });

  it("finds labelled node issues that are not yet sub-issues, newest first, as REST does", async () => {
    const spec = fake.openIssue(repo, "Orphan", "Spec body");
    const forge = forgeFor(fake, repo);
    await forge.ensureDashboardComment(spec.number, "dashboard", meta(spec.number, []));
    await forge.ensureNodeIssue(spec.number, node("linked"), "pending", `swarm/${spec.number}-orphan/linked`);
    // Created and labelled, then the process died before linking them.
    const orphan = async (id: string) =>
      (
        await octokitFor(fake).rest.issues.create({
          owner: repo.owner.login,
          repo: repo.name,
          title: `[${id}] Node ${id}`,
          body: nodeIssueBody(spec.number, node(id), "pending", `swarm/${spec.number}-orphan/${id}`),
          labels: [NODE_LABEL],
        })
      ).data;
    const older = await orphan("older");
    const newer = await orphan("newer");

    const { rest, gql } = await readBoth(spec.number);
    expectSame(gql.snapshot, rest.snapshot);
    // With no plan order on the dashboard, this is the run's node order.
    expect([...(gql.snapshot?.scan.byNode.keys() ?? [])]).toEqual(["linked", "newer", "older"]);
    expect(gql.snapshot?.scan.byNode.get("older")).toMatchObject({ id: older.id, number: older.number });
    expect(gql.snapshot?.scan.subIssueIds.has(newer.id)).toBe(false);
    expect(gql.snapshot?.scan.subIssueIds.size).toBe(1);
  });

  it("keeps ids past 32 bits, as GitHub's issue and comment ids are now", async () => {
    const spec = fake.openIssue(repo, "Big ids", "Spec body");
    const dashboard = addComment(spec, renderMarker("dashboard", meta(spec.number, ["db"])));
    repo.comments.delete(dashboard.id);
    dashboard.id = 3_000_000_001;
    repo.comments.set(dashboard.id, dashboard);
    const sub = addNodeIssue(spec.number, node("db"));
    sub.id = 3_000_000_002;
    spec.subIssueIds.push(sub.id);
    sub.parentId = spec.id;

    const { rest, gql } = await readBoth(spec.number);
    expectSame(gql.snapshot, rest.snapshot);
    expect(gql.snapshot?.dashboard.id).toBe(3_000_000_001);
    expect(gql.snapshot?.scan.byNode.get("db")?.id).toBe(3_000_000_002);
    expect(gql.snapshot?.scan.subIssueIds).toEqual(new Set([3_000_000_002]));
  });
});

describe("the fake's refs, as GitHub answers them", () => {
  const refsQuery = `query($owner: String!, $name: String!, $prefix: String!) {
    repository(owner: $owner, name: $name) { refs(refPrefix: $prefix, first: 10) { nodes { name prefix } } }
  }`;
  const ask = (prefix: string) =>
    octokitFor(fake).graphql<{ repository: { refs: { nodes: { name: string; prefix: string }[] } } }>(
      refsQuery,
      { owner: repo.owner.login, name: repo.name, prefix },
    );

  it("names a ref by what follows the prefix", async () => {
    pushBranch(repo, "feature/named");
    const { repository } = await ask("refs/heads/feature/");
    expect(repository.refs.nodes).toEqual([{ name: "named", prefix: "refs/heads/feature/" }]);
  });

  it("takes a folder as the prefix, not a name cut short", async () => {
    await expect(ask("refs/heads/feature/na")).rejects.toThrow(/refPrefix/);
    expect(fake.violations.splice(0)).toHaveLength(1);
  });
});
