import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  closeAddressedThreads,
  MAX_RECORDED_THREADS,
  type ThreadRecord,
  withThreads,
} from "../../../src/pipeline/review/review-threads.js";
import { reviewThreadsOf } from "../../support/fake-github/github-graphql.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github/server.js";
import type { RepoState } from "../../support/fake-github/state.js";
import { forgeFor, pushBranch } from "../../support/github-rig.js";

let fake: FakeGitHub;
let repo: RepoState;
beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "lib", { "README.md": "# lib\n", "src/a.js": "a\n", "src/b.js": "b\n" });
});
afterAll(() => fake.stop());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const record = (comment: number, node = "a"): ThreadRecord => ({ comment, node, round: 1 });

describe("the record of threads to close", () => {
  it("adds each comment once and keeps the newest within bounds", () => {
    expect(withThreads([record(1)], [record(1), record(2)])).toEqual([record(1), record(2)]);
    const many = Array.from({ length: MAX_RECORDED_THREADS + 5 }, (_, i) => record(i + 1));
    const kept = withThreads([], many);
    expect(kept).toHaveLength(MAX_RECORDED_THREADS);
    expect(kept.at(-1)).toEqual(record(MAX_RECORDED_THREADS + 5));
  });
});

describe("closing the threads a pushed head addresses", () => {
  it("answers and resolves the threads of nodes whose branch moved, leaves the others, and a retry writes nothing", async () => {
    const before = { a: pushBranch(repo, "swarm/3-lib/a"), b: pushBranch(repo, "swarm/3-lib/b") };
    const head = pushBranch(repo, "swarm/3-lib/integration");
    const forge = forgeFor(fake, repo);
    const pr = await forge.ensurePullRequest({
      head: "swarm/3-lib/integration",
      base: "main",
      title: "Lib",
      body: "Closes #3",
      draft: true,
    });
    const { commentIds } = await forge.postReview({
      pullNumber: pr.number,
      commitSha: head,
      key: "round-1",
      body: "Two findings.",
      comments: [
        { path: "src/a.js", line: 1, body: "Fix a." },
        { path: "src/b.js", line: 1, body: "Fix b." },
      ],
    });
    const [onA, onB] = commentIds as number[];
    // Node a was revised (its branch moved); node b's revision changed nothing.
    const revisedA = pushBranch(repo, "swarm/3-lib/a", "swarm/3-lib/a");
    const run = {
      meta: {
        v: 1 as const,
        spec: 3,
        status: "reviewing" as const,
        summary: "",
        nodeOrder: ["a", "b"],
        threads: [
          { comment: onA ?? 0, node: "a", round: 1, sha: before.a },
          { comment: onB ?? 0, node: "b", round: 1, sha: before.b },
        ],
      },
      branches: { "swarm/3-lib/a": revisedA, "swarm/3-lib/b": before.b },
      nodeBranches: {},
    };
    const pushed = "f".repeat(40);
    const first = await closeAddressedThreads(forge, run, pr.number, pushed);
    expect(first).toEqual({ handled: [onA, onB], failed: null });
    const threads = () =>
      reviewThreadsOf(repo.pulls.get(pr.number) ?? (undefined as never)).map((t) => ({
        path: t.top.path,
        resolved: t.top.resolved === true,
        replies: t.comments.slice(1).map((c) => c.body.split("\n")[0]),
      }));
    expect(threads()).toEqual([
      {
        path: "src/a.js",
        resolved: true,
        replies: [`Addressed in ${pushed} by node \`a\` (revision round 1).`],
      },
      { path: "src/b.js", resolved: false, replies: [] },
    ]);

    // The integration retried (its job cut off before it dropped the record): one query, nothing written.
    const since = fake.requests.length;
    await closeAddressedThreads(forgeFor(fake, repo), run, pr.number, pushed);
    expect(
      fake.requests
        .slice(since)
        .filter((r) => !r.path.includes("access_tokens"))
        .map((r) => `${r.method} ${r.template}`),
    ).toEqual(["POST graphql"]);
    expect(threads()[0]?.replies).toHaveLength(1);
  });

  it("says what failed and drops nothing when GitHub refuses, so the next push tries again", async () => {
    const forge = forgeFor(fake, repo);
    const run = {
      meta: {
        v: 1 as const,
        spec: 4,
        status: "reviewing" as const,
        summary: "",
        nodeOrder: ["a"],
        threads: [record(1)],
      },
      branches: {},
      nodeBranches: {},
    };
    // A pull request the fake does not have: GitHub's GraphQL answers with an error, which Octokit throws.
    const outcome = await closeAddressedThreads(forge, run, 9999, "e".repeat(40));
    expect(outcome).toEqual({ handled: [], failed: "GraphqlResponseError" });
    // A NOT_FOUND is GitHub's fair answer about a missing object, not a query GitHub would refuse.
    expect(fake.violations).toEqual([]);
    const answer = fake.requests.filter((r) => r.template === "graphql").at(-1);
    expect(JSON.stringify(answer?.body)).toContain("9999");
  });
});
