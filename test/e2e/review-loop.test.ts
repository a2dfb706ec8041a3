import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { readTrace } from "../../src/model/trace/file-trace-sink.js";
import { git } from "../support/fake-github/bare-repo.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { checksOn, dashboardOf, headOf, pullOf } from "../support/fake-github/views.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel as model, textOf } from "../support/stats-library.js";

// The loop users see: label → plan → nodes → integrated PR → the repository's CI fails → the reviewer
// comments on the failing line → only the node at fault is revised → CI passes → the PR is ready.

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

let count = 0;
const libraryRepo = (extraConfig = "") => createStatsLibraryRepo(rig.github, `stats${++count}`, extraConfig);

/** How many times each node's coder started, from the model's requests. */
const coderStarts = () => {
  const counts: Record<string, number> = {};
  for (const r of rig.anthropic.requests) {
    if (r.body.messages.length !== 1 || !JSON.stringify(r.body.system).includes("You are a coder of swarm"))
      continue;
    const id = /Your node: `([a-z0-9-]+)`/.exec(textOf(r.body))?.[1] ?? "?";
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
};
const since = (before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(coderStarts()).flatMap(([k, v]) =>
      v - (before[k] ?? 0) > 0 ? [[k, v - (before[k] ?? 0)]] : [],
    ),
  );

async function label(title: string) {
  const repo = libraryRepo(
    title.includes("patience")
      ? "limits:\n  maxRevisionRounds: 3\n"
      : title.includes("stubborn")
        ? "limits:\n  maxRevisionRounds: 1\n"
        : "",
  );
  const spec = rig.github.openIssue(
    repo,
    title,
    "Write a small statistics library: `summary(xs)` prints the mean with two decimals.",
  );
  rig.github.labelIssue(repo, spec, "swarm");
  return { repo, spec };
}

describe("integrate, validate and review until green", () => {
  let repo: RepoState;
  let spec: Issue;

  it("revises only the node at fault after CI fails, and ends green with the PR ready for review", {
    timeout: 120_000,
  }, async () => {
    const before = coderStarts();
    ({ repo, spec } = await label("Stats library"));
    await rig.until(() => rig.reviewOutcomes.some((o) => o.kind === "green"), 90_000);
    await rig.github.ci.settled();
    await rig.settled();

    // core, format and index were coded once; stats twice: once with the bug, once revised.
    expect(since(before)).toEqual({ core: 1, stats: 2, format: 1, index: 1 });
    expect(rig.reviewOutcomes.filter((o) => o.kind === "revising" || o.kind === "green")).toEqual([
      { kind: "revising", round: 1, nodes: ["stats"] },
      { kind: "green" },
    ]);

    const pull = pullOf(repo);
    const stats = `swarm/${spec.number}-stats-library/stats`;
    const core = `swarm/${spec.number}-stats-library/core`;
    expect(git(repo.bare, "log", "--format=%s", `${core}..${stats}`).split("\n")).toEqual([
      "Revise stats: Mean of a list",
      "Mean of a list",
    ]);
    expect(git(repo.bare, "show", `${pull.head}:src/stats.js`)).toContain("/ xs.length;");

    // The reviewer's review: a summary and a comment on the very line of the bug, on the first head.
    const review = pull.reviews.find((r) => r.user.login === "swarm-app[bot]");
    expect(review?.body).toContain("Checks failed: test (revision round 1 of 3)");
    expect(review?.body).toContain("Revising `stats`; the other nodes stay as they are.");
    expect(review?.comments).toEqual([
      expect.objectContaining({
        path: "src/stats.js",
        line: 4,
        body: expect.stringContaining("divide by `xs.length`"),
      }),
    ]);
    expect(git(repo.bare, "show", `${review?.commitId}:src/stats.js`).split("\n")[3]).toContain(
      "xs.length + 1",
    );
    // CI failed on the first head and passed on the second; swarm's own check says the same, never green early.
    expect(checksOn(repo, review?.commitId ?? "")).toEqual({ swarm: "failure", test: "failure" });
    expect(checksOn(repo, headOf(repo, pull))).toEqual({ swarm: "success", test: "success" });

    // The planner got a code map and each coder its node's code context; the run's trace holds them.
    const runId = readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.runId ?? "";
    const trace = await readTrace(join(rig.runsDir, runId, "trace.jsonl"));
    const planner = JSON.stringify(trace.find((l) => l.role === "planner")?.request?.messages);
    expect(planner).toContain("(code map: the definitions most related to the spec)");
    const firstCall = (id: string) =>
      JSON.stringify(
        trace.find((l) => l.role === "coder" && l.node === id && l.turn === 0)?.request?.messages,
      );
    expect(firstCall("core")).toContain("(code context: your files first");
    // `index` builds on stats and format: its context shows their definitions, which its copy holds.
    expect(firstCall("index")).toContain("## src/stats.js\\n  3: export function mean(xs) {");
    expect(firstCall("index")).toContain("## src/format.js");

    // A late (redelivered) failure for the first head changes nothing: only the PR's head counts.
    const stale = rig.github.webhooks.deliveries.find(
      (d) =>
        d.event === "check_run" &&
        d.body.includes(`"head_sha":"${review?.commitId}"`) &&
        d.body.includes('"conclusion":"failure"'),
    );
    const reviewsBefore = rig.reviewOutcomes.length;
    rig.github.webhooks.redeliver(stale?.id ?? "none");
    await rig.settled();
    expect(rig.reviewOutcomes.slice(reviewsBefore)).toEqual([
      { kind: "ignored", reason: "checks of an older head commit" },
    ]);

    expect(pull).toMatchObject({ draft: false, requestedReviewers: ["octocat"], title: "Stats library" });
    expect(pull.body).toContain(`Closes #${spec.number}`);
    const dashboard = dashboardOf(repo, spec)?.body ?? "";
    expect(readMarker(dashboard, "dashboard")).toMatchObject({ status: "green", round: 1 });
    expect(dashboard).toContain(
      "after 1 revision round, checked against the spec: the pull request is ready for review.",
    );
    for (const id of ["core", "stats", "format", "index"])
      expect(dashboard).toMatch(
        new RegExp(`\\| \`${id}\`[^\\n]*🟢 done[^\\n]*\\| [\\d,]+ \\| \\$\\d+\\.\\d\\d \\|`),
      );
  });

  it("sends /swarm revise on a review line to the node that owns the file, and only to it", {
    timeout: 120_000,
  }, async () => {
    const pull = pullOf(repo);
    const before = coderStarts();
    const greens = rig.reviewOutcomes.filter((o) => o.kind === "green").length;
    const line = rig.github.reviewAs(repo, pull, {
      event: "COMMENT",
      comments: [{ path: "src/format.js", line: 2, body: "/swarm revise document what this returns" }],
    });
    await rig.until(() => rig.reviewOutcomes.filter((o) => o.kind === "green").length > greens, 90_000);
    await rig.settled();
    expect(since(before)).toEqual({ format: 1 });
    expect(git(repo.bare, "show", `${pull.head}:src/format.js`)).toContain(
      "/** document what this returns */",
    );
    // Acknowledged on the line with 👀, and answered on the PR.
    expect(line.comments[0]?.reactions?.map((r) => r.content)).toEqual(["eyes"]);
    const answer = [...repo.comments.values()].find(
      (c) => c.issueNumber === pull.number && c.body.startsWith("@acme:"),
    );
    expect(answer?.body.split("\n")[0]).toBe(
      "@acme: Sent to `format`; the pull request updates when it is done.",
    );

    // The request redelivered after its revision is done: nothing is sent again, nothing is left pending.
    const asked = rig.github.webhooks.deliveries.filter(
      (d) => d.event.startsWith("pull_request_review") && d.body.includes("/swarm revise document"),
    );
    expect(asked.length).toBeGreaterThan(0);
    const headBefore = headOf(repo, pull);
    for (const d of asked) rig.github.webhooks.redeliver(d.id);
    await rig.settled();
    await new Promise((r) => setTimeout(r, 1500));
    await rig.settled();
    expect(since(before)).toEqual({ format: 1 });
    expect(headOf(repo, pull)).toBe(headBefore);
    const dashboard = readMarker(dashboardOf(repo, spec)?.body, "dashboard");
    expect(dashboard?.status).toBe("green");
    const format = [...repo.issues.values()].find((i) => i.title.startsWith("[format]"));
    expect(format?.state).toBe("closed");
  });

  it("refuses /swarm revise from someone without write access politely, and ignores a bot's", async () => {
    const pull = pullOf(repo);
    const before = coderStarts();
    const commands = rig.commandOutcomes.length;
    const comment = { path: "src/stats.js", line: 4, body: "/swarm revise make it faster" };
    rig.github.reviewAs(
      repo,
      pull,
      { event: "COMMENT", comments: [comment] },
      { login: "visitor", id: 501, type: "User" },
    );
    rig.github.reviewAs(
      repo,
      pull,
      { event: "COMMENT", comments: [comment] },
      { login: "helper-bot[bot]", id: 502, type: "Bot" },
    );
    await rig.settled();
    expect(rig.commandOutcomes.slice(commands)).toEqual([
      { kind: "refused", reason: "visitor has none access" },
    ]);
    const refusal = [...repo.comments.values()].filter(
      (c) => c.issueNumber === pull.number && c.body.includes("@visitor"),
    );
    expect(refusal.map((c) => c.body.split("\n")[0])).toEqual([
      "@visitor, only people with write access to this repository can drive swarm (you have none access).",
    ]);
    expect(refusal.some((c) => c.body.includes("helper-bot"))).toBe(false);
    expect(since(before)).toEqual({});
  });
});

describe("a review that requests changes", () => {
  it("counts as /swarm revise: its line comments go to the nodes that own the files", {
    timeout: 120_000,
  }, async () => {
    const greenCount = () => rig.reviewOutcomes.filter((o) => o.kind === "green").length;
    const first = greenCount();
    const { repo } = await label("Stats library (reviewed)");
    await rig.until(() => greenCount() > first, 90_000);
    await rig.settled();
    const pull = pullOf(repo);
    const before = coderStarts();
    const greens = greenCount();
    const headBefore = headOf(repo, pull);
    rig.github.reviewAs(repo, pull, {
      event: "REQUEST_CHANGES",
      body: "One thing before this can go in.",
      comments: [{ path: "src/format.js", line: 2, body: "Say that it rounds to two decimals." }],
    });
    await rig.until(() => greenCount() > greens, 90_000);
    await rig.settled();
    expect(since(before)).toEqual({ format: 1 });
    expect(headOf(repo, pull)).not.toBe(headBefore);
    expect(git(repo.bare, "show", `${pull.head}:src/format.js`).split("\n")[0]).toBe(
      "/** Say that it rounds to two decimals. */",
    );
    const answer = [...repo.comments.values()].find(
      (c) => c.issueNumber === pull.number && c.body.startsWith("@acme:"),
    );
    expect(answer?.body.split("\n")[0]).toBe(
      "@acme: Sent to `format`; the pull request updates when it is done.",
    );

    // The same request again changes nothing: the PR stays as it is, still green, and nothing hangs.
    const integrated = rig.integrateOutcomes.length;
    const head = headOf(repo, pull);
    rig.github.reviewAs(repo, pull, {
      event: "REQUEST_CHANGES",
      comments: [{ path: "src/format.js", line: 2, body: "Say that it rounds to two decimals." }],
    });
    await rig.until(() => rig.integrateOutcomes.length > integrated, 90_000);
    await rig.settled();
    expect(rig.integrateOutcomes.at(-1)).toEqual({
      kind: "skipped",
      reason: "the revision changed nothing, and the checks pass",
    });
    expect(headOf(repo, pull)).toBe(head);
  });
});

describe("a run that cannot reach green", () => {
  it("stops at the revision limit with a comment listing what still fails and what was tried", {
    timeout: 120_000,
  }, async () => {
    const before = coderStarts();
    const { repo, spec } = await label("Stats library (stubborn)");
    await rig.until(() => rig.reviewOutcomes.some((o) => o.kind === "stopped"), 90_000);
    await rig.settled();
    expect(since(before)).toEqual({ core: 1, stats: 2, format: 1, index: 1 });
    const pull = pullOf(repo);
    const stopped = [...repo.comments.values()].find(
      (c) => c.issueNumber === pull.number && c.body.startsWith("**swarm stopped"),
    );
    expect(stopped?.body).toContain(
      "and it reached the revision limit (1 round, `limits.maxRevisionRounds`).",
    );
    expect(stopped?.body).toContain("- **test**: failure");
    expect(stopped?.body).toContain("`test/check.mjs:6` mean([2, 4]) returned 2, expected 3");
    expect(stopped?.body).toContain("- Round 1: revised `stats` (1 finding).");
    expect(pull.draft).toBe(true);
    expect(checksOn(repo, headOf(repo, pull))).toEqual({ swarm: "failure", test: "failure" });
    expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status).toBe("failed");
  });

  it("stops at the first repeat, not at the round limit, when a revised failure comes back unchanged", {
    timeout: 120_000,
  }, async () => {
    const before = coderStarts();
    const stops = () => rig.reviewOutcomes.filter((o) => o.kind === "stopped").length;
    const stoppedBefore = stops();
    const { repo, spec } = await label("Stats library (stubborn) with patience");
    await rig.until(() => stops() > stoppedBefore, 90_000);
    await rig.settled();
    // One revision round of three was spent: `stats` was coded twice, not four times.
    expect(since(before)).toEqual({ core: 1, stats: 2, format: 1, index: 1 });
    const pull = pullOf(repo);
    const stopped = [...repo.comments.values()].filter(
      (c) => c.issueNumber === pull.number && c.body.startsWith("**swarm stopped"),
    );
    expect(stopped).toHaveLength(1);
    expect(stopped[0]?.body).toContain("2 failures that round 1 was sent to fix came back unchanged");
    expect(stopped[0]?.body).toContain("mean([2, 4]) returned 2, expected 3");
    expect(stopped[0]?.body).toContain("- Round 1: revised `stats` (1 finding).");
    expect(stopped[0]?.body).not.toContain("Round 2");
    expect(stopped[0]?.body).toContain("**Fix:** this needs a person: push a fix to this branch yourself");
    expect(pull.draft).toBe(true);
    expect(checksOn(repo, headOf(repo, pull))).toEqual({ swarm: "failure", test: "failure" });
    expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status).toBe("failed");
  });

  it("a repository without PR workflows: swarm runs validation.ci itself and goes green from its check runs", {
    timeout: 120_000,
  }, async () => {
    const repo = createStatsLibraryRepo(rig.github, `stats${++count}`, "", {
      workflows: false,
      validation:
        "validation:\n  commands: [sh lint.sh]\n  ci: [node test/check.mjs]\n  ciWaitMinutes: 0.02\n",
    });
    const spec = rig.github.openIssue(
      repo,
      "Stats library (correct) without workflows",
      "Write `summary(xs)`.",
    );
    const greens = rig.reviewOutcomes.filter((o) => o.kind === "green").length;
    rig.github.labelIssue(repo, spec, "swarm");
    await rig.until(() => rig.reviewOutcomes.filter((o) => o.kind === "green").length > greens, 90_000);
    await rig.settled();
    const pull = pullOf(repo);
    // The check is swarm's own run of validation.ci, recorded on the head by swarm's App, not by Actions.
    const runs = [...repo.checkRuns.values()].filter((r) => r.headSha === headOf(repo, pull));
    expect(Object.fromEntries(runs.map((r) => [r.name, r.conclusion]))).toEqual({
      "node test/check.mjs": "success",
      swarm: "success",
    });
    expect(runs.map((r) => r.app.login)).not.toContain("github-actions");
    expect(pull.draft).toBe(false);
    expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status).toBe("green");
  });

  it("a pull request whose only check was skipped is not verified: never green, swarm's check neutral", {
    timeout: 120_000,
  }, async () => {
    const repo = libraryRepo();
    rig.github.ci.enable(repo, "node test/check.mjs", { name: "test", conclusion: "skipped" });
    const spec = rig.github.openIssue(repo, "Stats library (CI skipped)", "Write `summary(xs)`: the mean.");
    rig.github.labelIssue(repo, spec, "swarm");
    await rig.until(() => rig.reviewOutcomes.some((o) => o.kind === "unverified"), 90_000);
    await rig.settled();
    const pull = pullOf(repo);
    expect(checksOn(repo, headOf(repo, pull))).toEqual({ swarm: "neutral", test: "skipped" });
    expect(pull.draft).toBe(true);
    const said = [...repo.comments.values()].filter((c) => c.issueNumber === pull.number).map((c) => c.body);
    expect(said).toContainEqual(
      expect.stringContaining("**Not verified:** None of the checks verified anything: `test` (skipped)"),
    );
    expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status).toBe("unverified");
    expect(dashboardOf(repo, spec)?.body).not.toContain("All checks pass");
  });
});
