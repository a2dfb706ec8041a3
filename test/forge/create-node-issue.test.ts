import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryRunMemo } from "../../src/forge/github/run-memo.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { forgeFor } from "../support/github-rig.js";
import { node } from "../support/plans.js";

// Node issues through GraphQL's createIssue: made and filed under the spec in one request.
let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.stop());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const made = (since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => !r.path.includes("access_tokens"))
    .map((r) =>
      r.template === "graphql"
        ? `graphql ${/^\s*(query|mutation)/.exec(String((r.body as { query?: string }).query))?.[1]}`
        : `${r.method} ${r.template}`,
    );

describe("a node's issue through GraphQL", () => {
  let repo: RepoState;
  beforeAll(() => {
    repo = fake.createRepo("acme", "nodes");
  });

  it("is made labelled and filed under its spec in one request; the label is made once per repository", async () => {
    const spec = fake.openIssue(repo, "First run", "Spec body");
    const forge = forgeFor(fake, repo, { memo: createMemoryRunMemo() });
    const before = fake.requests.length;
    const db = await forge.ensureNodeIssue(spec.number, node("db"), "ready", "swarm/1-first-run/db");
    // With no rebuild before it, the spec's node issues are looked for first. A repository new to swarm:
    // the ids are read, the label made (its answer holds its node id), then the create.
    expect(made(before)).toEqual([
      "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
      "GET /repos/{owner}/{repo}/issues",
      "graphql query",
      "POST /repos/{owner}/{repo}/labels",
      "graphql mutation",
    ]);
    const second = fake.requests.length;
    const api = await forge.ensureNodeIssue(
      spec.number,
      node("api", ["db"]),
      "pending",
      "swarm/1-first-run/api",
    );
    expect(made(second)).toEqual(["graphql mutation"]);
    for (const ref of [db, api]) {
      const issue = repo.issues.get(ref.number);
      expect(issue?.labels).toEqual(["swarm:node"]);
      expect(issue?.parentId).toBe(spec.id);
    }
    expect(spec.subIssueIds).toEqual([db.id, api.id]);
    // The same again, from a new process: found, nothing made twice.
    expect(
      await forgeFor(fake, repo).ensureNodeIssue(spec.number, node("db"), "ready", "swarm/1-first-run/db"),
    ).toEqual(db);
    expect(spec.subIssueIds).toHaveLength(2);
  });

  it("a run GitHub shows nothing of starts from the rebuild's reading: no list is read again", async () => {
    const spec = fake.openIssue(repo, "Second run", "Spec body");
    const forge = forgeFor(fake, repo, { memo: createMemoryRunMemo() });
    const before = fake.requests.length;
    expect(await forge.loadRun(spec.number)).toBeNull();
    await forge.ensureDashboardComment(spec.number, "Planning…", {
      v: 1,
      spec: spec.number,
      status: "planning",
      summary: "",
      nodeOrder: [],
    });
    await forge.ensureNodeIssue(spec.number, node("db"), "ready", "swarm/2-second-run/db");
    // The rebuild's one query said: no dashboard, no node issues, the label's and the spec's ids.
    expect(made(before)).toEqual([
      "graphql query",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
      "graphql mutation",
    ]);
  });

  it("a label deleted since the ids were kept is made again, and the issue still made once", async () => {
    const spec = fake.openIssue(repo, "Third run", "Spec body");
    const forge = forgeFor(fake, repo, { memo: createMemoryRunMemo() });
    await forge.ensureNodeIssue(spec.number, node("db"), "ready", "swarm/3-third-run/db");
    repo.labels.delete("swarm:node"); // a person deleted it
    const before = fake.requests.length;
    const api = await forge.ensureNodeIssue(spec.number, node("api"), "ready", "swarm/3-third-run/api");
    expect(made(before)).toEqual([
      "graphql mutation", // refused: the kept label id resolves to nothing
      "graphql query",
      "POST /repos/{owner}/{repo}/labels",
      "graphql mutation",
    ]);
    expect(repo.issues.get(api.number)?.labels).toEqual(["swarm:node"]);
    expect(spec.subIssueIds).toHaveLength(2);
  });

  it("a label another worker made meanwhile (GitHub's 422) is read back, and used", async () => {
    const raced = fake.createRepo("acme", "raced");
    const spec = fake.openIssue(raced, "Raced run", "Spec body");
    let race = true;
    fake.onRequest((method, template) => {
      // Between this worker's read of the ids and its create, another worker makes the label.
      if (race && method === "POST" && template === "/repos/{owner}/{repo}/labels") {
        race = false;
        raced.labels.add("swarm:node");
      }
    });
    const forge = forgeFor(fake, raced, { memo: createMemoryRunMemo() });
    await forge.loadRun(spec.number);
    const before = fake.requests.length;
    const db = await forge.ensureNodeIssue(spec.number, node("db"), "ready", "swarm/9-raced-run/db");
    expect(race).toBe(false);
    // The rebuild's reading gave the repository's and the spec's ids, and no label: it is made at once.
    expect(made(before)).toEqual([
      "POST /repos/{owner}/{repo}/labels", // 422: it exists now
      "graphql query",
      "graphql mutation",
    ]);
    expect(raced.issues.get(db.number)?.labels).toEqual(["swarm:node"]);
    expect(spec.subIssueIds).toEqual([db.id]);
  });

  it("through REST (GraphQL off), two requests: the create and the sub-issue link", async () => {
    const spec = fake.openIssue(repo, "REST run", "Spec body");
    const forge = forgeFor(fake, repo, { memo: createMemoryRunMemo(), rebuildWith: "rest" });
    const before = fake.requests.length;
    const db = await forge.ensureNodeIssue(spec.number, node("db"), "ready", "swarm/4-rest-run/db");
    expect(made(before)).toEqual([
      "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
      "GET /repos/{owner}/{repo}/issues",
      "POST /repos/{owner}/{repo}/issues",
      "POST /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
    ]);
    expect(spec.subIssueIds).toEqual([db.id]);
  });
});
