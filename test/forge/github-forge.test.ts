import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { createGitHubForge } from "../../src/forge/github/create-github-forge.js";
import { commitKey, createMemoryRunMemo, pullKey } from "../../src/forge/github/run-memo.js";
import type { Forge } from "../../src/pipeline/forge.js";
import { type FakeGitHub, isWrite, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { forgeFor, layOutRun, octokitFor, pushBranch } from "../support/github-rig.js";
import { must, node } from "../support/plans.js";

let fake: FakeGitHub;
let repo: RepoState;
beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "shop", { "README.md": "# shop\n", "src/index.ts": "export {};\n" });
});
afterAll(() => fake.stop());
// Every request of every test must conform to GitHub's OpenAPI description, and so must the fake's answers.
afterEach(() => {
  const found = fake.violations.splice(0);
  expect(found).toEqual([]);
});

const specIssue = (title = "Add dark mode") => fake.openIssue(repo, title, "Spec body");
const writes = (since: number) => fake.requests.slice(since).filter(isWrite);
/** A draft PR from a pushed `head`, and a review of one line comment to post on it. */
async function pullToReview(forge: Forge, head: string) {
  const sha = pushBranch(repo, head);
  const pr = await forge.ensurePullRequest({ head, base: "main", title: "t", body: "b", draft: true });
  const input = {
    pullNumber: pr.number,
    commitSha: sha,
    key: `${sha}:1`,
    body: "One finding.",
    comments: [{ path: "src/index.ts", line: 1, body: "Export the handler." }],
  };
  return { pr, input };
}
/** The routes of the API requests made since `since` (a new client's token requests left out). */
const routes = (since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => !r.path.includes("access_tokens"))
    .map((r) => `${r.method} ${r.template}`);

describe("GitHub forge", () => {
  it("keeps one dashboard comment, edits it in place, and writes nothing when it did not change", async () => {
    const spec = specIssue();
    const meta = {
      v: 1 as const,
      spec: spec.number,
      status: "planning" as const,
      summary: "",
      nodeOrder: [],
    };
    const first = await forgeFor(fake, repo).ensureDashboardComment(spec.number, "planning…", meta);
    const again = forgeFor(fake, repo); // a new process, with no cache
    const before = fake.requests.length;
    await again.ensureDashboardComment(spec.number, "planning…", meta);
    expect(writes(before)).toEqual([]);
    const edited = await again.ensureDashboardComment(spec.number, "2 nodes", { ...meta, status: "coding" });
    const comments = [...repo.comments.values()].filter((c) => c.issueNumber === spec.number);
    expect(comments).toHaveLength(1);
    expect(edited.id).toBe(first.id);
    expect(comments[0]?.body).toContain("2 nodes");
    expect(readMarker(comments[0]?.body, "dashboard")?.status).toBe("coding");
  });

  it("creates a node's sub-issue once, by id, even from a new process", async () => {
    const spec = specIssue();
    const api = node("api");
    const a = await forgeFor(fake, repo).ensureNodeIssue(spec.number, api, "pending", "swarm/1-x/api");
    const b = await forgeFor(fake, repo).ensureNodeIssue(spec.number, api, "pending", "swarm/1-x/api");
    expect(b).toEqual(a);
    expect(spec.subIssueIds).toEqual([a.id]);
    const issue = repo.issues.get(a.number);
    expect(issue?.title).toBe("[api] Node api");
    expect(issue?.labels).toEqual(["swarm:node"]);
    expect(readMarker(issue?.body, "node")).toEqual({
      v: 1,
      spec: spec.number,
      node: api,
      status: "pending",
      branch: "swarm/1-x/api",
    });
  });

  it("after a crash between creating and linking, finds the issue by its label and links it", async () => {
    const spec = specIssue();
    const db = node("db");
    const created = await forgeFor(fake, repo).ensureNodeIssue(spec.number, db, "pending", "b");
    spec.subIssueIds = []; // as if the process died before the link was made
    must(repo.issues.get(created.number), "created issue").parentId = null;
    const recovered = await forgeFor(fake, repo).ensureNodeIssue(spec.number, db, "pending", "b");
    expect(recovered.number).toBe(created.number);
    expect(spec.subIssueIds).toEqual([created.id]);
    expect(
      [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number),
    ).toHaveLength(1);
  });

  it("links a dependency once", async () => {
    const spec = specIssue();
    const forge = forgeFor(fake, repo);
    const db = await forge.ensureNodeIssue(spec.number, node("db"), "pending", "b1");
    const api = await forge.ensureNodeIssue(spec.number, node("api", ["db"]), "pending", "b2");
    await forge.linkDependency(api, db);
    await forgeFor(fake, repo).linkDependency(api, db);
    expect(repo.issues.get(api.number)?.blockedByIds).toEqual([db.id]);
  });

  it("unlinks a dependency, and again without error; a link after it is made anew", async () => {
    const spec = specIssue();
    const forge = forgeFor(fake, repo);
    const db = await forge.ensureNodeIssue(spec.number, node("db"), "pending", "b1");
    const api = await forge.ensureNodeIssue(spec.number, node("api", ["db"]), "pending", "b2");
    await forge.linkDependency(api, db);
    await forge.unlinkDependency(api, db);
    expect(repo.issues.get(api.number)?.blockedByIds).toEqual([]);
    await forgeFor(fake, repo).unlinkDependency(api, db); // already gone: a 404, taken as done
    await forge.linkDependency(api, db); // the forge's cache forgot the link it removed
    expect(repo.issues.get(api.number)?.blockedByIds).toEqual([db.id]);
  });

  it("records a node's status, closing its issue when done and reopening it on revision", async () => {
    const spec = specIssue();
    const forge = forgeFor(fake, repo);
    const ui = node("ui");
    const ref = await forge.ensureNodeIssue(spec.number, ui, "pending", "b");
    await forge.setNodeStatus(ref, spec.number, ui, "done", "b");
    const issue = repo.issues.get(ref.number);
    expect(issue).toMatchObject({ state: "closed", stateReason: "completed" });
    expect(readMarker(issue?.body, "node")?.status).toBe("done");
    expect(issue?.body).toContain("- [x] ui works");
    const before = fake.requests.length;
    await forge.setNodeStatus(ref, spec.number, ui, "done", "b");
    expect(writes(before)).toEqual([]);
    await forge.setNodeStatus(ref, spec.number, ui, "ready", "b");
    expect(repo.issues.get(ref.number)).toMatchObject({ state: "open", stateReason: "reopened" });
  });

  it("a commit swarm pushed gets its check run with no lookup; a create cut short is found, not made twice", async () => {
    const memo = createMemoryRunMemo();
    const forge = () => createGitHubForge(octokitFor(fake), repo.owner.login, repo.name, { memo });
    const branch = "swarm/12-mine/integration";
    const sha = pushBranch(repo, branch);
    await forge().notePush(12, branch, sha);
    const before = fake.requests.length;
    const check = { name: "swarm", headSha: sha, title: "Waiting", summary: "s" };
    const { id } = await forge().upsertCheckRun({ ...check, status: "in_progress" });
    expect(routes(before)).toEqual(["POST /repos/{owner}/{repo}/check-runs"]);
    // A worker killed after GitHub made it, before the memo had its id: the mark left makes the next look.
    await memo.write(commitKey(sha), { "check:swarm": null, "?check:swarm": "1" });
    const lookedUp = fake.requests.length;
    const again = await forge().upsertCheckRun({ ...check, status: "completed", conclusion: "success" });
    expect(routes(lookedUp)).toEqual([
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
    ]);
    expect(again.id).toBe(id);
    expect([...repo.checkRuns.values()].filter((r) => r.headSha === sha)).toHaveLength(1);
  });

  it("on a PR swarm opened, a review is posted with no lookup first, and once: its memo, or its mark if cut short", async () => {
    const memo = createMemoryRunMemo();
    const forge = () => createGitHubForge(octokitFor(fake), repo.owner.login, repo.name, { memo });
    const { pr, input } = await pullToReview(forge(), "swarm/13-recorded/integration");
    const before = fake.requests.length;
    const posted = await forge().postReview(input);
    expect(routes(before)).toEqual([
      "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",
    ]);
    const again = fake.requests.length;
    expect(await forge().postReview(input)).toEqual(posted);
    expect(routes(again)).toEqual([]);
    // A worker killed after GitHub took the review, before the memo had it: the mark makes the next look.
    await memo.write(pullKey(pr.number), { [`review:${input.key}`]: null, [`?review:${input.key}`]: "1" });
    const lookedUp = fake.requests.length;
    expect(await forge().postReview(input)).toEqual(posted);
    expect(routes(lookedUp)).toEqual([
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews",
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments",
    ]);
    expect(repo.pulls.get(pr.number)?.reviews).toHaveLength(1);
  });

  it("keeps one PR per head branch and updates its title", async () => {
    pushBranch(repo, "swarm/9-pr/integration");
    const input = {
      head: "swarm/9-pr/integration",
      base: "main",
      title: "Add PRs",
      body: "Closes #9",
      draft: true,
    };
    const first = await forgeFor(fake, repo).ensurePullRequest(input);
    const second = await forgeFor(fake, repo).ensurePullRequest({ ...input, title: "Add PRs (v2)" });
    expect(second.number).toBe(first.number);
    expect([...repo.pulls.values()].filter((p) => p.head === input.head)).toHaveLength(1);
    expect(repo.pulls.get(first.number)).toMatchObject({ title: "Add PRs (v2)", draft: true });
    expect(first.headSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("posts one review per key, with line comments", async () => {
    const { pr, input } = await pullToReview(forgeFor(fake, repo), "swarm/10-review/integration");
    const a = await forgeFor(fake, repo).postReview(input);
    const b = await forgeFor(fake, repo).postReview(input);
    expect(b).toEqual(a);
    const reviews = repo.pulls.get(pr.number)?.reviews ?? [];
    expect(reviews).toHaveLength(1);
    expect(reviews[0]?.comments).toEqual([
      { id: expect.any(Number), path: "src/index.ts", line: 1, side: "RIGHT", body: "Export the handler." },
    ]);
  });

  it("closes a review thread once: resolved, then one reply per key, found from the comment or a reply", async () => {
    const sha = pushBranch(repo, "swarm/12-threads/integration");
    const forge = forgeFor(fake, repo);
    const pr = await forge.ensurePullRequest({
      head: "swarm/12-threads/integration",
      base: "main",
      title: "t",
      body: "b",
      draft: true,
    });
    const posted = await forge.postReview({
      pullNumber: pr.number,
      commitSha: sha,
      key: "threads",
      body: "Two findings.",
      comments: [
        { path: "src/index.ts", line: 1, body: "Export the handler." },
        { path: "README.md", line: 1, body: "Name the project." },
      ],
    });
    const pull = repo.pulls.get(pr.number);
    const [first, second] = pull?.reviews[0]?.comments ?? [];
    expect(posted.commentIds).toEqual([first?.id, second?.id]);
    // Asked again (a retried job), the same ids come back.
    expect(
      (
        await forgeFor(fake, repo).postReview({
          ...posted,
          pullNumber: pr.number,
          commitSha: sha,
          key: "threads",
          body: "",
          comments: [
            { path: "src/index.ts", line: 1, body: "Export the handler." },
            { path: "README.md", line: 1, body: "Name the project." },
          ],
        })
      ).commentIds,
    ).toEqual(posted.commentIds);
    if (!pull || !first || !second) throw new Error("no review comments");
    const asked = fake.replyAs(repo, pull, first, "/swarm revise and its type");
    const repliesTo = (top: number) =>
      pull.reviews.flatMap((r) => r.comments).filter((c) => c.inReplyTo === top);

    const before = fake.requests.length;
    fake.inject({ status: 502, applied: true, on: "/replies" }); // made, its answer lost
    expect(
      await forge.closeReviewThreads(pr.number, [
        { commentId: first.id, key: "addressed-a", body: "Addressed in abc by node `api`." },
        { commentId: asked.id, key: "addressed-b", body: "Addressed in abc (asked by @acme)." },
        { commentId: 987_654, key: "addressed-c", body: "Gone." },
      ]),
    ).toEqual({ missing: [987_654] });
    expect(first.resolved).toBe(true);
    expect(second.resolved).toBeUndefined();
    // The person's reply, then swarm's two, each to the thread's first comment: GitHub takes no reply to a reply.
    expect(repliesTo(first.id).map((c) => c.body.split("\n")[0])).toEqual([
      "/swarm revise and its type",
      "Addressed in abc by node `api`.",
      "Addressed in abc (asked by @acme).",
    ]);
    expect(repliesTo(first.id).map((c) => readMarker(c.body, "note")?.key)).toEqual([
      undefined,
      "addressed-a",
      "addressed-b",
    ]);
    const replies = fake.requests.slice(before).filter((r) => r.template?.endsWith("/replies"));
    expect(replies.map((r) => r.status)).toEqual([502, 201]); // the lost one found, not sent again
    const graphql = fake.requests.slice(before).filter((r) => r.path === "/graphql");
    expect(graphql.map((r) => JSON.stringify(r.body).includes("resolveReviewThread"))).toEqual([false, true]);

    // Again (a retried job): one query, and nothing written. A thread a person reopened since stays open.
    first.resolved = false;
    const again = fake.requests.length;
    await forgeFor(fake, repo).closeReviewThreads(pr.number, [
      { commentId: first.id, key: "addressed-a", body: "Addressed in abc by node `api`." },
    ]);
    const sent = fake.requests.slice(again).filter((r) => !r.path.includes("access_tokens"));
    expect(sent.map((r) => `${r.method} ${r.template}`)).toEqual(["POST graphql"]);
    expect(first.resolved).toBe(false);
    expect(repliesTo(first.id)).toHaveLength(3);
  });

  it("the fake's GraphQL answers with the fields asked for, aliases and pages, and errors as GitHub does", async () => {
    pushBranch(repo, "swarm/13-gql/integration");
    const pr = await forgeFor(fake, repo).ensurePullRequest({
      head: "swarm/13-gql/integration",
      base: "main",
      title: "t",
      body: "b",
      draft: true,
    });
    const octokit = octokitFor(fake);
    const answer = await octokit.graphql(
      `query($owner: String!, $name: String!, $number: Int!) {
        repository(owner: $owner, name: $name) { pr: pullRequest(number: $number) { isDraft
          reviewThreads(first: 1) { pageInfo { hasNextPage } nodes { id } } } } }`,
      { owner: repo.owner.login, name: repo.name, number: pr.number },
    );
    expect(answer).toEqual({
      repository: { pr: { isDraft: true, reviewThreads: { pageInfo: { hasNextPage: false }, nodes: [] } } },
    });
    // A field GitHub's schema lacks, or a connection without `first`: GitHub answers 200 with `errors`.
    await expect(
      octokit.graphql(
        `query { repository(owner: "acme", name: "shop") { pullRequest(number: ${pr.number}) { mergedish } } }`,
      ),
    ).rejects.toThrow("Field 'mergedish' doesn't exist on type 'PullRequest'");
    await expect(
      octokit.graphql(
        `query { repository(owner: "acme", name: "shop") { pullRequest(number: ${pr.number}) { reviewThreads { nodes { id } } } } }`,
      ),
    ).rejects.toThrow("You must provide a `first` or `last` value");
    expect(fake.violations.splice(0)).toHaveLength(2);
  });

  it("upserts a check run and sends 120 annotations in batches of 50", async () => {
    const sha = pushBranch(repo, "swarm/11-checks/integration");
    const annotations = Array.from({ length: 120 }, (_, i) => ({
      path: "src/index.ts",
      startLine: i + 1,
      endLine: i + 1,
      level: "failure" as const,
      message: `problem ${i}`,
    }));
    const forge = forgeFor(fake, repo);
    const before = fake.requests.length;
    const { id } = await forge.upsertCheckRun({
      name: "swarm",
      headSha: sha,
      status: "completed",
      conclusion: "failure",
      title: "3 nodes failed",
      summary: "x".repeat(70_000),
      annotations,
    });
    expect(writes(before).map((r) => `${r.method} ${r.template}`)).toEqual([
      "POST /repos/{owner}/{repo}/check-runs",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
    ]);
    const again = await forgeFor(fake, repo).upsertCheckRun({
      name: "swarm",
      headSha: sha,
      status: "completed",
      conclusion: "success",
      title: "green",
      summary: "ok",
    });
    expect(again.id).toBe(id);
    const runs = [...repo.checkRuns.values()].filter((r) => r.headSha === sha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ conclusion: "success", title: "green", summary: "ok" });
    expect(runs[0]?.annotations).toHaveLength(120);
  });

  it("lists check results with annotations and the tail of a failed Actions job's log", async () => {
    const sha = pushBranch(repo, "swarm/12-ci/integration");
    const job = {
      id: fake.state.id(),
      name: "test",
      log: Array.from({ length: 400 }, (_, i) => `line ${i}`).join("\n"),
    };
    repo.jobs.set(job.id, job);
    const actions = { login: "github-actions", id: 15368, type: "Bot" as const };
    const now = fake.state.now();
    const run = {
      id: fake.state.id(),
      name: "test (node 22)",
      headSha: sha,
      status: "completed" as const,
      conclusion: "failure",
      title: "1 test failed",
      summary: "npm test failed",
      text: null,
      annotations: [
        {
          path: "src/index.ts",
          start_line: 3,
          end_line: 3,
          annotation_level: "failure" as const,
          message: "expected 2, got 3",
        },
      ],
      suiteId: 1,
      externalId: null,
      detailsUrl: null,
      app: actions,
      jobId: job.id,
      startedAt: now,
      completedAt: now,
    };
    repo.checkRuns.set(run.id, run);
    const results = await forgeFor(fake, repo).listCheckResults(sha);
    expect(results).toEqual([
      {
        id: run.id,
        name: "test (node 22)",
        status: "completed",
        conclusion: "failure",
        title: "1 test failed",
        summary: "npm test failed",
        annotations: [
          { path: "src/index.ts", startLine: 3, endLine: 3, level: "failure", message: "expected 2, got 3" },
        ],
        logTail: Array.from({ length: 150 }, (_, i) => `line ${i + 250}`).join("\n"),
        detailsUrl: expect.stringMatching(new RegExp(`/actions/runs/\\d+/job/${job.id}$`)),
      },
    ]);
  });

  it("reads a check run's whole log: an Actions job's log, an app's check text, or nothing", async () => {
    const forge = forgeFor(fake, repo);
    const sha = pushBranch(repo, "swarm/13-log/integration");
    const job = {
      id: fake.state.id(),
      name: "test",
      log: Array.from({ length: 5000 }, (_, i) => `line ${i + 1}`).join("\n"),
    };
    repo.jobs.set(job.id, job);
    const now = fake.state.now();
    const base = {
      headSha: sha,
      status: "completed" as const,
      conclusion: "failure",
      title: "failed",
      summary: "the end",
      annotations: [],
      suiteId: 1,
      externalId: null,
      detailsUrl: null,
      app: { login: "github-actions", id: 15368, type: "Bot" as const },
      startedAt: now,
      completedAt: now,
    };
    const ofJob = { ...base, id: fake.state.id(), name: "job", text: null, jobId: job.id };
    const ofApp = { ...base, id: fake.state.id(), name: "app", text: "what the app reported", jobId: null };
    const bare = { ...base, id: fake.state.id(), name: "bare", text: null, jobId: null };
    for (const run of [ofJob, ofApp, bare]) repo.checkRuns.set(run.id, run);
    const log = await forge.readCheckLog(ofJob.id);
    expect(log?.split("\n")).toHaveLength(5000);
    expect(log?.split("\n")[2499]).toBe("line 2500");
    expect(await forge.readCheckLog(ofApp.id)).toBe("what the app reported");
    expect(await forge.readCheckLog(bare.id)).toBeNull();
    // A job whose log is gone (expired, or its run deleted) has none either.
    repo.jobs.delete(job.id);
    expect(await forge.readCheckLog(ofJob.id)).toBeNull();
  });

  it("reads files at a ref, permissions, and leaves one reaction", async () => {
    const forge = forgeFor(fake, repo);
    expect(await forge.readFile("main", "src/index.ts")).toBe("export {};\n");
    expect(await forge.readFile("main", "nope.ts")).toBeNull();
    repo.permissions.set("dev", "write");
    repo.permissions.set("helper", "triage");
    expect(await forge.getPermission("acme")).toBe("admin");
    expect(await forge.getPermission("dev")).toBe("write");
    expect(await forge.getPermission("helper")).toBe("triage");
    expect(await forge.getPermission("stranger")).toBe("none");
    const spec = specIssue();
    await forge.addReaction({ issueNumber: spec.number }, "eyes");
    await forge.addReaction({ issueNumber: spec.number }, "eyes");
    expect(spec.reactions.map((r) => r.content)).toEqual(["eyes"]);
  });

  it("retries a secondary rate limit (403 with retry-after) and a 502, and stays fast", async () => {
    const spec = specIssue();
    fake.inject(
      { status: 403, secondary: true, retryAfterS: 1, on: "/reactions" },
      { status: 502, on: "/reactions" },
    );

    const started = performance.now();
    await forgeFor(fake, repo).addReaction({ issueNumber: spec.number }, "rocket");
    expect(performance.now() - started).toBeLessThan(1500);
    expect(spec.reactions.map((r) => r.content)).toContain("rocket");
    const statuses = fake.requests
      .filter((r) => r.template?.endsWith("/reactions"))
      .slice(-3)
      .map((r) => r.status);
    expect(statuses).toEqual([403, 502, 201]);
  });

  it("a create whose answer is lost after GitHub made it (502) is found, not made twice", async () => {
    const spec = specIssue();
    const forge = forgeFor(fake, repo);
    const since = fake.requests.length;
    const lost = (on: string) => fake.inject({ status: 502, applied: true, on });
    const statuses = (template: string) =>
      fake.requests
        .slice(since)
        .filter((r) => r.method === "POST" && r.template === template)
        .map((r) => r.status);

    lost("/repos/{owner}/{repo}/issues/{issue_number}/comments");
    await forge.ensureComment(spec.number, "note-1", "Said once.");
    expect([...repo.comments.values()].filter((c) => c.body.startsWith("Said once."))).toHaveLength(1);
    expect(statuses("/repos/{owner}/{repo}/issues/{issue_number}/comments")).toEqual([502]);

    lost("/repos/{owner}/{repo}/issues");
    const api = await forge.ensureNodeIssue(spec.number, node("api"), "pending", "swarm/9-x/api");
    lost("/repos/{owner}/{repo}/issues/{issue_number}/sub_issues");
    const ui = await forge.ensureNodeIssue(spec.number, node("ui", ["api"]), "pending", "swarm/9-x/ui");
    const nodes = [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
    expect(nodes.map((i) => i.number).sort()).toEqual([api.number, ui.number].sort());
    expect(spec.subIssueIds.sort()).toEqual([api.id, ui.id].sort());

    // The link is made, its answer lost; sending it again would be a 422 "Dependency already exists".
    lost("/dependencies/blocked_by");
    await forge.linkDependency(ui, api);
    await forgeFor(fake, repo).linkDependency(ui, api);
    expect(repo.issues.get(ui.number)?.blockedByIds).toEqual([api.id]);

    pushBranch(repo, "swarm/9-x/integration");
    lost("/repos/{owner}/{repo}/pulls");
    const pr = await forge.ensurePullRequest({
      head: "swarm/9-x/integration",
      base: "main",
      title: "t",
      body: "b",
      draft: true,
    });
    expect([...repo.pulls.values()].filter((p) => p.head === "swarm/9-x/integration")).toHaveLength(1);

    lost("/repos/{owner}/{repo}/pulls/{pull_number}/reviews");
    await forge.postReview({
      pullNumber: pr.number,
      commitSha: pr.headSha,
      key: "r1",
      body: "Review.",
      comments: [],
    });
    expect(repo.pulls.get(pr.number)?.reviews).toHaveLength(1);

    lost("/repos/{owner}/{repo}/check-runs");
    await forge.upsertCheckRun({
      name: "swarm",
      headSha: pr.headSha,
      status: "in_progress",
      title: "t",
      summary: "s",
    });
    expect(
      [...repo.checkRuns.values()].filter((r) => r.headSha === pr.headSha && r.name === "swarm"),
    ).toHaveLength(1);
    // Every lost answer was met by a lookup; no create went out a second time.
    for (const t of ["/repos/{owner}/{repo}/pulls", "/repos/{owner}/{repo}/check-runs"])
      expect(statuses(t).filter((s) => s === 201)).toHaveLength(0);
  });

  it("a comment refused by a secondary limit (429) is sent again after its retry-after, once", async () => {
    const spec = specIssue();
    fake.inject({ status: 429, retryAfterS: 1, on: "/repos/{owner}/{repo}/issues/{issue_number}/comments" });
    await forgeFor(fake, repo).ensureComment(spec.number, "note-429", "After the wait.");
    expect([...repo.comments.values()].filter((c) => c.body.startsWith("After the wait."))).toHaveLength(1);
  });

  it("refuses a request that breaks the OpenAPI contract, and says why", async () => {
    const spec = specIssue();
    const octokit = octokitFor(fake);
    const error = await octokit
      .request("POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues", {
        owner: "acme",
        repo: "shop",
        issue_number: spec.number,
        sub_issue_number: 3,
      } as never)
      .catch((e: { status: number; message: string }) => e);
    expect(error).toMatchObject({ status: 422 });
    expect(fake.violations).toEqual([
      "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues: (body) must have required property 'sub_issue_id'",
    ]);
    fake.violations.length = 0;
  });
});

// Rebuilt through one GraphQL query (the default), and through REST (the fallback): the same run.
describe.each(["graphql", "rest"] as const)("loadRun through %s", (rebuildWith) => {
  it("rebuilds a materialised plan, node states, branches and PR from GitHub alone", async () => {
    const { spec, plan, branch, forge, refs, shas, pr } = await layOutRun(fake, repo);

    const since = fake.requests.length;
    const loaded = await forgeFor(fake, repo, { rebuildWith }).loadRun(spec.number);
    const asked = fake.requests.slice(since).filter((r) => !r.path.includes("access_tokens"));
    // GraphQL: one query; REST: the comments, sub-issues, labelled issues, refs and PR lists.
    expect(asked.map((r) => r.template)).toEqual(
      rebuildWith === "graphql"
        ? ["graphql"]
        : [
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
            "/repos/{owner}/{repo}/issues",
            "/repos/{owner}/{repo}/git/matching-refs/{ref}",
            "/repos/{owner}/{repo}/pulls",
          ],
    );
    expect(loaded?.plan).toEqual(plan);
    // A node's start is kept in the memo only: GitHub's record says it waits, its forge says it runs.
    expect(loaded?.states).toEqual({ db: "done", api: "pending", ui: "pending" });
    expect((await forge.loadRun(spec.number))?.states).toEqual({ db: "done", api: "running", ui: "pending" });
    expect(loaded?.nodeIssues).toEqual(Object.fromEntries(refs));
    expect(loaded?.branches).toEqual({
      [branch("db")]: shas.db,
      [branch("api")]: shas.api,
      [branch("integration")]: shas.integration,
    });
    expect(loaded?.pullRequest).toEqual(pr);
    expect(loaded?.meta.status).toBe("coding");
  });

  it("says there is no run when the spec has no dashboard", async () => {
    expect(await forgeFor(fake, repo, { rebuildWith }).loadRun(specIssue().number)).toBeNull();
  });
});
