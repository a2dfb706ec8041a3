import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { commitKey } from "../../src/forge/github/run-memo.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisRunMemo } from "../../src/queue/redis-run-memo.js";
import { git } from "../support/fake-github/bare-repo.js";
import { reviewThreadsOf } from "../support/fake-github/github-graphql.js";
import { APP_BOT } from "../support/fake-github/server.js";
import type { Pull, RepoState, ReviewComment } from "../support/fake-github/state.js";
import { dashboardOf, headOf, pullOf } from "../support/fake-github/views.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel as model } from "../support/stats-library.js";

// A line comment that a revision answered is closed as a person would close it: a reply naming the commit
// that fixed it, and the thread resolved (GraphQL, since REST has no review threads).

let rig: PlanningRig;
let redis: Redis;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
  redis = createRedis();
});
afterAll(async () => {
  await redis.quit();
  await rig.stop();
});
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

const greens = () => rig.reviewOutcomes.filter((o) => o.kind === "green").length;

/** The thread of a line comment, and the replies in it with who wrote them. */
function threadOf(pull: Pull, comment: ReviewComment | undefined) {
  const thread = reviewThreadsOf(pull).find((t) => t.top.id === comment?.id);
  const author = (c: ReviewComment) => pull.reviews.find((r) => r.comments.includes(c))?.user.login;
  return {
    resolved: thread?.top.resolved === true,
    replies: (thread?.comments.slice(1) ?? []).map((c) => ({
      by: author(c),
      text: c.body.split("\n")[0],
      body: c.body,
    })),
  };
}

describe("review threads", () => {
  let repo: RepoState;

  it("swarm's line comment gets a reply naming the revised head and is resolved", {
    timeout: 120_000,
  }, async () => {
    repo = createStatsLibraryRepo(rig.github, "stats-threads");
    const spec = rig.github.openIssue(
      repo,
      "Stats library",
      "Write a small statistics library: `summary(xs)` prints the mean with two decimals.",
    );
    rig.github.labelIssue(repo, spec, "swarm");
    await rig.until(() => greens() > 0, 90_000);
    await rig.github.ci.settled();
    await rig.settled();

    const pull = pullOf(repo);
    const review = pull.reviews.find((r) => r.user.login === APP_BOT.login && r.comments.length > 0);
    const comment = review?.comments[0];
    expect(comment).toMatchObject({ path: "src/stats.js", line: 4 });
    const head = headOf(repo, pull);
    // The revised head is the one pushed after the review, not the commit it was written on.
    expect(head).not.toBe(review?.commitId);
    expect(threadOf(pull, comment)).toEqual({
      resolved: true,
      replies: [
        {
          by: APP_BOT.login,
          text: `Addressed in ${head} by node \`stats\` (revision round 1).`,
          body: expect.stringContaining("reply `/swarm revise <what is still wrong>`"),
        },
      ],
    });
    // Found and resolved through GraphQL: one query for the threads, one mutation for this one.
    const graphql = rig.github.requests
      .filter((r) => r.path === "/graphql")
      .map((r) => JSON.stringify(r.body));
    expect(graphql.filter((b) => b.includes("reviewThreads"))).toHaveLength(1);
    expect(graphql.filter((b) => b.includes("resolveReviewThread"))).toHaveLength(1);
    // The record of the thread, kept in the dashboard's marker until then, is gone.
    expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.threads ?? []).toEqual([]);

    // Every commit the run's branches hold was said by swarm before its push (the coders' and the
    // integrator's), so none of their webhooks was news: the commit's memo record is marked swarm's.
    const memo = createRedisRunMemo(
      redis,
      rig.prefix,
      rig.github.app.installationId,
      repo.owner.login,
      repo.name,
    );
    const heads = git(
      repo.bare,
      "for-each-ref",
      "--format=%(refname:short) %(objectname)",
      "refs/heads/swarm/",
    )
      .split("\n")
      .map((line) => line.split(" "));
    expect(heads.map(([name]) => name?.split("/").at(-1)).sort()).toEqual([
      "core",
      "format",
      "index",
      "integration",
      "stats",
    ]);
    for (const [, sha = ""] of heads) expect((await memo.read(commitKey(sha))).mine).toBe("1");
  });

  it("a person's /swarm revise on a line is answered the same way, once, even when the reply's answer is lost", {
    timeout: 120_000,
  }, async () => {
    const pull = pullOf(repo);
    const before = greens();
    const headBefore = headOf(repo, pull);
    const asked = rig.github.reviewAs(repo, pull, {
      event: "COMMENT",
      comments: [{ path: "src/format.js", line: 2, body: "/swarm revise document what this returns" }],
    });
    // GitHub makes the reply but its answer never arrives: swarm finds it rather than replying again.
    rig.github.inject({ status: 502, applied: true, on: "/replies" });
    await rig.until(() => greens() > before, 90_000);
    await rig.github.ci.settled();
    await rig.settled();

    const head = headOf(repo, pull);
    expect(head).not.toBe(headBefore);
    expect(threadOf(pull, asked.comments[0])).toEqual({
      resolved: true,
      replies: [
        {
          by: APP_BOT.login,
          text: `Addressed in ${head} by node \`format\` (asked by @acme).`,
          body: expect.any(String),
        },
      ],
    });
    const replies = rig.github.requests.filter((r) => r.template?.endsWith("/replies"));
    expect(replies.map((r) => r.status)).toEqual([201, 502]);
    // swarm's own thread from the first round was not answered again.
    const first = pull.reviews.find((r) => r.user.login === APP_BOT.login && r.comments.length > 0);
    expect(threadOf(pull, first?.comments[0]).replies).toHaveLength(1);
  });
});
