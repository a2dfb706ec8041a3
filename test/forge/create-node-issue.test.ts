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
    // the ids are read, the label made, the ids read again, then the create.
    expect(made(before)).toEqual([
      "GET /repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
      "GET /repos/{owner}/{repo}/issues",
      "graphql query",
      "POST /repos/{owner}/{repo}/labels",
      "graphql query",
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
      "graphql query",
      "graphql mutation",
    ]);
    expect(repo.issues.get(api.number)?.labels).toEqual(["swarm:node"]);
    expect(spec.subIssueIds).toHaveLength(2);
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
