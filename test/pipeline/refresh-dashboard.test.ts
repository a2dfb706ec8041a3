import { afterAll, beforeAll, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { refreshDashboard } from "../../src/pipeline/dashboard/refresh-dashboard.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import { forgeFor, pushBranch } from "../support/github-rig.js";
import { node } from "../support/plans.js";

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.stop());

it("a late 'revising' write about a head the run has moved past records its round but leaves the status", async () => {
  const repo = fake.createRepo("acme", "late");
  const spec = fake.openIssue(repo, "Late", "Spec");
  const forge = forgeFor(fake, repo);
  const a = node("a");
  const issue = await forge.ensureNodeIssue(spec.number, a, "done", "swarm/1-late/a");
  await forge.setNodeStatus(issue, spec.number, a, "done", "swarm/1-late/a", { summary: "Built a." });
  pushBranch(repo, "swarm/1-late/a");
  const reviewed = pushBranch(repo, "swarm/1-late/integration");
  await forge.ensurePullRequest({
    head: "swarm/1-late/integration",
    base: "main",
    title: "t",
    body: "b",
    draft: true,
  });
  const meta = {
    v: 1 as const,
    spec: spec.number,
    runId: "r1",
    status: "reviewing" as const,
    summary: "",
    nodeOrder: ["a"],
  };
  await forge.ensureDashboardComment(spec.number, "reviewing", meta);
  const dashboard = async () =>
    readMarker([...repo.comments.values()].find((c) => readMarker(c.body, "dashboard"))?.body, "dashboard");

  // While the PR's head is the reviewed commit, the write lands as asked.
  await refreshDashboard(forge, spec.number, { ifHead: reviewed, status: "revising", meta: { round: 1 } });
  expect(await dashboard()).toMatchObject({ status: "revising", round: 1 });

  // The revision was merged (pushed, and the PR ensured, as the integrate job does) and reviewed green
  // before a second late write arrived.
  pushBranch(repo, "swarm/1-late/integration", "swarm/1-late/integration");
  await forge.ensurePullRequest({
    head: "swarm/1-late/integration",
    base: "main",
    title: "t",
    body: "b",
    draft: true,
  });
  await refreshDashboard(forge, spec.number, { status: "green" });
  await refreshDashboard(forge, spec.number, { ifHead: reviewed, status: "revising", meta: { round: 2 } });
  expect(await dashboard()).toMatchObject({ status: "green", round: 2 });
});
