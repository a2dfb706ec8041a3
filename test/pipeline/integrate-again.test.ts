import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { readMarker } from "../../src/domain/markers.js";
import type { PlanNode } from "../../src/domain/plan/plan.js";
import { refreshDashboard } from "../../src/pipeline/dashboard/refresh-dashboard.js";
import type { Forge, IssueRef } from "../../src/pipeline/forge.js";
import { type IntegrateDeps, integrateRun } from "../../src/pipeline/integrate/integrate-run.js";
import { SWARM_CHECK } from "../../src/pipeline/swarm-check.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { forgeFor, pushBranch } from "../support/github-rig.js";
import { node } from "../support/plans.js";

// An integrate job taken up again after its worker was killed (it had pushed the head, and GitHub had made
// the PR though its answer was lost) merges nothing new. Meanwhile that head may have been reviewed and a
// node sent back. What the job does then, against the GitHub forge on the fake GitHub.

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.stop());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

let count = 0;
/** A run of two done nodes whose integration branch is pushed at `head`, with a draft PR when `pull`. */
async function integratedRun(options: { pull: boolean }) {
  const repo = fake.createRepo("acme", `again${++count}`);
  const spec = fake.openIssue(repo, "Again", "Spec");
  const forge = forgeFor(fake, repo);
  const nodes = [node("core"), node("stats", ["core"])];
  const prefix = `swarm/${spec.number}-again`;
  const issues: Record<string, IssueRef> = {};
  for (const n of nodes) {
    issues[n.id] = await forge.ensureNodeIssue(spec.number, n, "done", `${prefix}/${n.id}`);
    await forge.setNodeStatus(issues[n.id] as IssueRef, spec.number, n, "done", `${prefix}/${n.id}`, {
      summary: `Built ${n.id}.`,
    });
    pushBranch(repo, `${prefix}/${n.id}`);
  }
  const head = pushBranch(repo, `${prefix}/integration`);
  if (options.pull)
    await forge.ensurePullRequest({
      head: `${prefix}/integration`,
      base: "main",
      title: "t",
      body: "b",
      draft: true,
    });
  await forge.ensureDashboardComment(spec.number, "reviewing", {
    v: 1,
    spec: spec.number,
    runId: "r1",
    status: "reviewing",
    summary: "",
    nodeOrder: nodes.map((n) => n.id),
  });
  return { repo, spec: spec.number, forge, nodes, issues, head, prefix };
}

const dashboard = (repo: RepoState) =>
  readMarker([...repo.comments.values()].find((c) => readMarker(c.body, "dashboard"))?.body, "dashboard");
const swarmCheck = (repo: RepoState, sha: string) =>
  [...repo.checkRuns.values()].find((c) => c.name === SWARM_CHECK && c.headSha === sha);

const integrate = (
  r: Awaited<ReturnType<typeof integratedRun>>,
  merge: IntegrateDeps["merge"],
  forge: Forge = r.forge,
) =>
  integrateRun(
    {
      runId: "r1",
      spec: { number: r.spec, title: "Again" },
      base: "main",
      branches: Object.fromEntries(r.nodes.map((n) => [n.id, `${r.prefix}/${n.id}`])),
      integrationBranch: `${r.prefix}/integration`,
    },
    { forge, config: RepoConfigSchema.parse({}), ledger: null, merge },
  );

it("a head reviewed while the job merged, its node sent back: the job leaves the review's record alone", async () => {
  const r = await integratedRun({ pull: true });
  const stats = r.nodes[1] as PlanNode;
  // The review of the head lands while this job merges: what review-checks and send-revisions write.
  const reviewLands = async () => {
    await r.forge.setNodeStatus(r.issues.stats as IssueRef, r.spec, stats, "pending", `${r.prefix}/stats`, {
      revision: "divide by `xs.length`",
      summary: "Built stats.",
    });
    await refreshDashboard(r.forge, r.spec, {
      ifHead: r.head,
      status: "revising",
      meta: { round: 1, reviewedSha: r.head },
    });
    await r.forge.upsertCheckRun({
      name: SWARM_CHECK,
      headSha: r.head,
      status: "completed",
      conclusion: "failure",
      title: "Checks failed; revising stats",
      summary: "Round 1",
    });
  };
  const outcome = await integrate(r, async () => {
    await reviewLands();
    return { headSha: r.head, pushed: false, conflicts: [] };
  });

  expect(outcome).toEqual({ kind: "skipped", reason: "this head was reviewed while the job merged" });
  // Still reviewed and revising: a second review of this head would send `stats` back to pending once
  // its revision is done, and its merge would then find it not done.
  expect(dashboard(r.repo)).toMatchObject({ status: "revising", reviewedSha: r.head, round: 1 });
  expect(swarmCheck(r.repo, r.head)).toMatchObject({ status: "completed", conclusion: "failure" });
  expect((await r.forge.loadRun(r.spec))?.states.stats).toBe("pending");
});

it("a node sent back while the job merged (the review's record lost): the job does not announce the head", async () => {
  const r = await integratedRun({ pull: true });
  const stats = r.nodes[1] as PlanNode;
  const outcome = await integrate(r, async () => {
    await r.forge.setNodeStatus(r.issues.stats as IssueRef, r.spec, stats, "running", `${r.prefix}/stats`, {
      revision: "divide by `xs.length`",
    });
    return { headSha: r.head, pushed: false, conflicts: [] };
  });
  expect(outcome).toEqual({ kind: "skipped", reason: "nodes sent back while the job merged: stats" });
  // Neither swarm's check nor the dashboard says the head waits for its checks (the job's own
  // "integrating" stands until the revision is merged).
  expect(swarmCheck(r.repo, r.head)).toBeUndefined();
  expect(dashboard(r.repo)?.status).toBe("integrating");
});

it("the job taken up before the PR was made: it announces the head and opens the PR, once", async () => {
  const r = await integratedRun({ pull: false });
  const held: string[] = [];
  const outcome = await integrateRun(
    {
      runId: "r1",
      spec: { number: r.spec, title: "Again" },
      base: "main",
      branches: Object.fromEntries(r.nodes.map((n) => [n.id, `${r.prefix}/${n.id}`])),
      integrationBranch: `${r.prefix}/integration`,
    },
    {
      forge: r.forge,
      config: RepoConfigSchema.parse({}),
      ledger: null,
      merge: async () => ({ headSha: r.head, pushed: false, conflicts: [] }),
      // The check and the announcement are made in the review's turn on the head.
      exclusiveOfReview: async (sha, work) => {
        held.push(sha);
        return work();
      },
    },
  );
  expect(outcome).toMatchObject({ kind: "opened", headSha: r.head, pushed: false });
  expect(held).toEqual([r.head]);
  expect(swarmCheck(r.repo, r.head)).toMatchObject({ status: "in_progress" });
  expect(dashboard(r.repo)?.status).toBe("reviewing");
  expect([...r.repo.pulls.values()]).toHaveLength(1);
});
