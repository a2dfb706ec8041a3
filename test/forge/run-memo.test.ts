import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import type { PlanNode } from "../../src/domain/plan/plan.js";
import { deliveryNotes } from "../../src/entry/delivery-notes.js";
import { createGitHubForge } from "../../src/forge/github/create-github-forge.js";
import { nodeIssueBody } from "../../src/forge/github/node-issue-body.js";
import { parseWebhook } from "../../src/forge/github/parse-webhook.js";
import { specKey } from "../../src/forge/github/run-memo.js";
import { decideIntake } from "../../src/pipeline/intake.js";
import { CONFIG_PATH, readRepoConfig } from "../../src/pipeline/read-repo-config.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisRunMemo } from "../../src/queue/redis-run-memo.js";
import { git } from "../support/fake-github/bare-repo.js";
import { APP_BOT, type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { octokitFor, pushBranch } from "../support/github-rig.js";
import { must, node } from "../support/plans.js";
import { requireRedis } from "../support/require-redis.js";

// The memo of what swarm wrote, in Redis as `swarm worker` keeps it: each forge here is a new job (or a
// new worker), sharing only Redis and GitHub.
let fake: FakeGitHub;
let repo: RepoState;
let redis: Redis;
const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
// What the App server does with the deliveries: intake decides, and a moved branch or PR is noted.
const receiver = createServer((req, res) => {
  void text(req).then(async (body) => {
    const event = parseWebhook(String(req.headers["x-github-event"]), JSON.parse(body));
    const decision = event && decideIntake(event);
    if (decision && "moved" in decision) await deliveryNotes(redis, prefix).moved(decision.moved);
    res.writeHead(202).end();
  });
});
beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "memo", { "README.md": "# memo\n" });
  await requireRedis();
  redis = createRedis();
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  fake.webhooks.deliverTo(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, "secret");
});
afterAll(async () => {
  receiver.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await fake.stop();
});
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const memo = () => createRedisRunMemo(redis, prefix, fake.app.installationId, repo.owner.login, repo.name);
const job = () => createGitHubForge(octokitFor(fake), repo.owner.login, repo.name, { memo: memo() });
const made = (since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => !r.path.includes("access_tokens"))
    .map((r) => `${r.method} ${r.template}`);

/** A spec with a dashboard, two node issues (one done), a link, pushed branches and a draft PR. */
async function laidOutRun() {
  const spec = fake.openIssue(repo, "Memo me", "Spec body");
  const nodes: PlanNode[] = [node("db", [], ["src/db/**"]), node("api", ["db"], ["src/api/**"])];
  const branch = (id: string) => `swarm/${spec.number}-memo-me/${id}`;
  const forge = job();
  await forge.ensureDashboardComment(spec.number, "dashboard", {
    v: 1,
    spec: spec.number,
    status: "coding",
    summary: "Two nodes.",
    nodeOrder: nodes.map((n) => n.id),
  });
  const db = await forge.ensureNodeIssue(spec.number, must(nodes[0], "db"), "ready", branch("db"));
  const api = await forge.ensureNodeIssue(spec.number, must(nodes[1], "api"), "pending", branch("api"));
  await forge.linkDependency(api, db);
  await forge.setNodeStatus(db, spec.number, must(nodes[0], "db"), "done", branch("db"), {
    summary: "Made the db.",
    report: "**Node `db` is done** on its branch.",
  });
  pushBranch(repo, branch("db"));
  pushBranch(repo, branch("integration"));
  const pr = await forge.ensurePullRequest({
    head: branch("integration"),
    base: "main",
    title: "Memo me",
    body: "Closes it",
    draft: true,
  });
  return { spec, nodes, branch, db, api, pr };
}

describe("the run memo", () => {
  it("a later job loads the run from Redis, reading only the branches and the PR from GitHub", async () => {
    const { spec, db, pr } = await laidOutRun();
    const before = fake.requests.length;
    const run = await job().loadRun(spec.number);
    expect(made(before)).toEqual([
      "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
      "GET /repos/{owner}/{repo}/pulls",
    ]);
    expect(run?.states).toEqual({ db: "done", api: "pending" });
    expect(run?.summaries).toEqual({ db: "Made the db." });
    expect(run?.nodeIssues.db).toEqual(db);
    expect(run?.pullRequest).toEqual(pr);
    // For the plan and its nodes only: not even those.
    const nodesOnly = fake.requests.length;
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.states.db).toBe("done");
    expect(made(nodesOnly)).toEqual([]);
  });

  it("keeps the branches and PR once read: swarm's own pushes add nothing, a person's push or close makes the next load read GitHub", async () => {
    const { spec, nodes, branch, api, pr } = await laidOutRun();
    await job().loadRun(spec.number);
    const commit = (from: string) =>
      git(repo.bare, "commit-tree", git(repo.bare, "rev-parse", `${from}^{tree}`), "-p", from, "-m", "work");
    // A node job pushes (GitHub sends its push webhook), then records the node done with that head.
    const head = commit("main");
    fake.pushAs(repo, branch("api"), head, APP_BOT);
    await job().setNodeStatus(api, spec.number, must(nodes[1], "api"), "done", branch("api"), {
      summary: "Made the api.",
      head,
    });
    await fake.webhooks.settled();
    const quiet = fake.requests.length;
    const kept = await job().loadRun(spec.number);
    expect(made(quiet)).toEqual([]);
    expect(kept?.branches[branch("api")]).toBe(head);
    expect(kept?.pullRequest).toEqual(pr);

    // A person pushes to a node branch: the webhook is noted, and the next load asks GitHub, once.
    const theirs = commit(head);
    fake.pushAs(repo, branch("db"), theirs);
    await fake.webhooks.settled();
    const pushed = fake.requests.length;
    expect((await job().loadRun(spec.number))?.branches[branch("db")]).toBe(theirs);
    expect(made(pushed)).toEqual([
      "GET /repos/{owner}/{repo}/git/matching-refs/{ref}",
      "GET /repos/{owner}/{repo}/pulls",
    ]);
    const settled = fake.requests.length;
    expect((await job().loadRun(spec.number))?.branches[branch("api")]).toBe(head);
    expect(made(settled)).toEqual([]);

    // A person closes the PR: the run has none until swarm opens one again.
    fake.closePullAs(repo, must(repo.pulls.get(pr.number), "the PR"));
    await fake.webhooks.settled();
    const closed = fake.requests.length;
    expect((await job().loadRun(spec.number))?.pullRequest).toBeNull();
    expect(made(closed)).toHaveLength(2);
  });

  it("swarm's pushes are known before their notes: their webhooks, early or late, read nothing; the PR follows them", async () => {
    const { spec, branch, pr } = await laidOutRun();
    await job().loadRun(spec.number);
    const integration = branch("integration");
    const commit = (from: string) =>
      git(repo.bare, "commit-tree", git(repo.bare, "rev-parse", `${from}^{tree}`), "-p", from, "-m", "work");
    // The integrator pushes twice (a revision round), each said before its push; both webhooks arrive
    // before swarm ensures the PR again, the first of them after the second push.
    const first = commit(pr.headSha);
    await job().notePush(spec.number, integration, first);
    const second = commit(first);
    await job().notePush(spec.number, integration, second);
    fake.pushAs(repo, integration, second, APP_BOT);
    await fake.webhooks.settled();
    await deliveryNotes(redis, prefix).moved({
      installationId: fake.app.installationId,
      repo: { owner: repo.owner.login, name: repo.name },
      spec: spec.number,
      branch: integration,
      headSha: first,
      gone: false,
    });
    const quiet = fake.requests.length;
    const run = await job().loadRun(spec.number);
    expect(made(quiet)).toEqual([]);
    expect(run?.branches[integration]).toBe(second);
    expect(run?.pullRequest).toEqual({ ...pr, headSha: second });

    // A person's push among swarm's is news: the next load asks GitHub.
    const theirs = commit(second);
    fake.pushAs(repo, integration, theirs);
    await fake.webhooks.settled();
    const pushed = fake.requests.length;
    expect((await job().loadRun(spec.number))?.pullRequest?.headSha).toBe(theirs);
    expect(made(pushed)).toHaveLength(2);
    // After that reading, a person pushing swarm's older commit back is news too.
    fake.pushAs(repo, integration, second);
    await fake.webhooks.settled();
    const back = fake.requests.length;
    expect((await job().loadRun(spec.number))?.pullRequest?.headSha).toBe(second);
    expect(made(back)).toHaveLength(2);
  });

  it("new text for a PR the memo holds is one edit, no lookup; the same text is looked up; one closed unseen is opened again", async () => {
    const { spec, branch, pr } = await laidOutRun();
    await job().loadRun(spec.number);
    const integration = branch("integration");
    // The integrator pushes a revision (said first), then ensures the PR with its new body.
    const head = git(
      repo.bare,
      "commit-tree",
      git(repo.bare, "rev-parse", `${pr.headSha}^{tree}`),
      "-p",
      pr.headSha,
      "-m",
      "revised",
    );
    await job().notePush(spec.number, integration, head);
    fake.pushAs(repo, integration, head, APP_BOT);
    await fake.webhooks.settled();
    const input = { head: integration, base: "main", title: "Memo me", draft: true, headSha: head };
    const edited = fake.requests.length;
    expect(await job().ensurePullRequest({ ...input, body: "Closes it, round 1" })).toEqual({
      ...pr,
      headSha: head,
    });
    expect(made(edited)).toEqual(["PATCH /repos/{owner}/{repo}/pulls/{pull_number}"]);
    expect(repo.pulls.get(pr.number)?.body).toBe("Closes it, round 1");
    expect((await job().loadRun(spec.number))?.pullRequest).toEqual({ ...pr, headSha: head });

    // A person closed it, and no webhook said so. The same text again: looked up, none open, opened anew.
    must(repo.pulls.get(pr.number), "the PR").state = "closed";
    const same = fake.requests.length;
    const reopened = await job().ensurePullRequest({ ...input, body: "Closes it, round 1" });
    expect(reopened.number).not.toBe(pr.number);
    expect(made(same)).toEqual(["GET /repos/{owner}/{repo}/pulls", "POST /repos/{owner}/{repo}/pulls"]);
    // New text for that one (once read again: the old PR's webhooks disagree with it), closed unseen too:
    // the edit's answer says so, and swarm opens another.
    await fake.webhooks.settled();
    await job().loadRun(spec.number, { recheck: true });
    must(repo.pulls.get(reopened.number), "the PR").state = "closed";
    const closed = fake.requests.length;
    const third = await job().ensurePullRequest({ ...input, body: "Closes it, round 2" });
    expect(third.number).not.toBe(reopened.number);
    expect(made(closed)).toEqual([
      "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
      "GET /repos/{owner}/{repo}/pulls",
      "POST /repos/{owner}/{repo}/pulls",
    ]);
    expect((await job().loadRun(spec.number))?.pullRequest?.number).toBe(third.number);
  });

  it("a run's jobs read the config the run started with, asking GitHub nothing; a replan reads it again", async () => {
    const configured = fake.createRepo("acme", "memo-config", {
      ".github/swarm.yml": "label: build\n",
    });
    const forgeOf = () =>
      createGitHubForge(octokitFor(fake), "acme", configured.name, {
        memo: createRedisRunMemo(redis, prefix, fake.app.installationId, "acme", configured.name),
      });
    const contents = (since: number) => made(since).filter((r) => r.includes("/contents/"));
    const planned = fake.requests.length;
    // The plan stage reads it afresh and pins it to the run.
    await forgeOf().readFile("main", CONFIG_PATH, { run: 7, fresh: true });
    expect(contents(planned)).toHaveLength(1);
    const later = fake.requests.length;
    expect((await readRepoConfig(forgeOf(), "main", 7)).label).toBe("build");
    expect((await readRepoConfig(forgeOf(), "main", 7)).label).toBe("build");
    expect(contents(later)).toEqual([]);
    // Another run, and a replan, ask GitHub.
    await readRepoConfig(forgeOf(), "main", 8);
    await forgeOf().readFile("main", CONFIG_PATH, { run: 7, fresh: true });
    expect(contents(later)).toHaveLength(2);
    // Pinned at another ref too (the code stages read it at the base branch): a fresh read replaces that
    // copy as well, so the next job at that ref asks GitHub again.
    await readRepoConfig(forgeOf(), "release", 7);
    const atBase = fake.requests.length;
    await readRepoConfig(forgeOf(), "release", 7);
    expect(contents(atBase)).toEqual([]);
    await forgeOf().readFile("main", CONFIG_PATH, { run: 7, fresh: true });
    await readRepoConfig(forgeOf(), "release", 7);
    expect(contents(atBase)).toHaveLength(2);
  });

  it("rebuilds from GitHub alone when Redis lost the memo, or when asked to, and gets the same run", async () => {
    const { spec } = await laidOutRun();
    const fromMemo = await job().loadRun(spec.number);
    await redis.del(
      `${prefix}:memo:${fake.app.installationId}:${repo.owner.login}/${repo.name}:${specKey(spec.number)}`,
    );
    const before = fake.requests.length;
    expect(await job().loadRun(spec.number)).toEqual(fromMemo);
    expect(made(before)).toEqual(["POST graphql"]); // one query rebuilds it
    // Remembered again: the next job reads Redis.
    const after = fake.requests.length;
    await job().loadRun(spec.number, { nodesOnly: true });
    expect(made(after)).toEqual([]);
    // `/swarm status`: GitHub says what is, whatever the memo holds.
    const asked = fake.requests.length;
    expect(await job().loadRun(spec.number, { rebuild: true })).toEqual(fromMemo);
    expect(made(asked)).toEqual(["POST graphql"]);
  });

  it("a node that starts coding is running in the memo; GitHub's record says it waits, with no write", async () => {
    const { spec, nodes, branch, api } = await laidOutRun();
    const before = fake.requests.length;
    await job().setNodeStatus(api, spec.number, must(nodes[1], "api"), "running", branch("api"));
    expect(made(before)).toEqual([]);
    expect(readMarker(repo.issues.get(api.number)?.body, "node")?.status).toBe("pending");
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.states.api).toBe("running");
    // A revision's start carries its feedback, which a run rebuilt from GitHub needs: that one is written.
    await job().setNodeStatus(api, spec.number, must(nodes[1], "api"), "running", branch("api"), {
      revision: "Handle an empty id.",
    });
    expect(readMarker(repo.issues.get(api.number)?.body, "node")).toMatchObject({
      status: "running",
      revision: "Handle an empty id.",
    });
    await job().setNodeStatus(api, spec.number, must(nodes[1], "api"), "done", branch("api"));
    expect((await job().loadRun(spec.number, { rebuild: true }))?.states.api).toBe("done");
    // Sent back with feedback (written, for a rebuild), then started on it: GitHub holds the feedback
    // already, so the start is the memo's alone.
    const revision = { revision: "Reject an id with spaces." };
    await job().setNodeStatus(api, spec.number, must(nodes[1], "api"), "pending", branch("api"), revision);
    const sentBack = fake.requests.length;
    await job().setNodeStatus(api, spec.number, must(nodes[1], "api"), "running", branch("api"), revision);
    expect(made(sentBack)).toEqual([]);
    expect(readMarker(repo.issues.get(api.number)?.body, "node")).toMatchObject({
      status: "pending",
      revision: "Reject an id with spaces.",
    });
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.states.api).toBe("running");
  });

  it("a create whose answer a killed worker never recorded is found on GitHub, not made twice", async () => {
    const spec = fake.openIssue(repo, "Crash", "Spec body");
    const web = node("web");
    await job().ensureNodeIssue(spec.number, web, "pending", "b"); // scans, and remembers the scan
    // As if a worker marked its create of `cli` unsure, created it on GitHub, and died before recording it.
    const cli = node("cli");
    const key = `${prefix}:memo:${fake.app.installationId}:${repo.owner.login}/${repo.name}:${specKey(spec.number)}`;
    await redis.hset(key, "?node:cli", "1");
    fake
      .openIssue(repo, "[cli] Node cli", nodeIssueBody(spec.number, cli, "pending", "b"))
      .labels.push("swarm:node");
    const again = await job().ensureNodeIssue(spec.number, cli, "pending", "b");
    const issues = [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
    expect(issues.map((i) => readMarker(i.body, "node")?.node.id).sort()).toEqual(["cli", "web"]);
    expect(spec.subIssueIds).toContain(again.id);
    expect(await redis.hexists(key, "?node:cli")).toBe(0); // settled by the scan
  });

  it("a keyed comment a person deleted is made again; one still there is edited, never duplicated", async () => {
    const spec = fake.openIssue(repo, "Notes", "Spec body");
    const first = await job().ensureComment(spec.number, "k", "first");
    const before = fake.requests.length;
    await job().ensureComment(spec.number, "k", "second");
    expect(made(before)).toEqual(["PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"]);
    repo.comments.delete(first.id);
    const remade = await job().ensureComment(spec.number, "k", "third");
    expect(remade.id).not.toBe(first.id);
    const notes = [...repo.comments.values()].filter((c) => c.issueNumber === spec.number);
    expect(notes.map((c) => c.body.split("\n")[0])).toEqual(["third"]);
  });

  it("a deferred dashboard step is what the stages read, and reaches GitHub with the next write", async () => {
    const { spec } = await laidOutRun();
    const meta = (status: "integrating" | "reviewing") => ({
      v: 1 as const,
      spec: spec.number,
      status,
      summary: "Two nodes.",
      nodeOrder: ["db", "api"],
    });
    const dashboard = () =>
      [...repo.comments.values()].find(
        (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
      );
    const before = fake.requests.length;
    await job().ensureDashboardComment(spec.number, "merging", meta("integrating"), { deferred: true });
    expect(made(before)).toEqual([]);
    expect(readMarker(dashboard()?.body, "dashboard")?.status).toBe("coding");
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.meta.status).toBe("integrating");
    // Rebuilt from GitHub (a create a killed worker left unsure, say): the deferred step still stands.
    await redis.hset(
      `${prefix}:memo:${fake.app.installationId}:${repo.owner.login}/${repo.name}:${specKey(spec.number)}`,
      "?node:x",
      "1",
    );
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.meta.status).toBe("integrating");
    // The comment read from GitHub again (a write refused after its retries forgets it): the deferred step
    // still stands over it.
    await job().loadRun(spec.number, { rebuild: true });
    await memo().write(specKey(spec.number), { dashboard: null });
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.meta.status).toBe("integrating");
    await job().ensureDashboardComment(spec.number, "waiting for checks", meta("reviewing"));
    expect(readMarker(dashboard()?.body, "dashboard")?.status).toBe("reviewing");
    expect((await job().loadRun(spec.number, { nodesOnly: true }))?.meta.status).toBe("reviewing");
  });
});
