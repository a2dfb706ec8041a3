import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import type { Pull, RepoState } from "../support/fake-github/state.js";
import { dashboardOf, headOf, pullOf } from "../support/fake-github/views.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel as model, textOf } from "../support/stats-library.js";

// Before revising on red: a check that fails once in a test the change does not reach is re-run, not sent
// to a coder; a check that fails on the base branch too is reported as pre-existing, not revised.

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

/**
 * How many times each node's coder started, and how many times the reviewer was asked (about failures, or
 * to check a green head against the spec), from the model's requests.
 */
const modelCalls = () => {
  const counts: Record<string, number> = {};
  for (const r of rig.anthropic.requests) {
    const system = JSON.stringify(r.body.system);
    if (system.includes("You are the reviewer of swarm")) {
      const asked = textOf(r.body).includes("check the change against the spec") ? "specCheck" : "reviewer";
      counts[asked] = (counts[asked] ?? 0) + 1;
    }
    if (r.body.messages.length !== 1 || !system.includes("You are a coder of swarm")) continue;
    const id = /Your node: `([a-z0-9-]+)`/.exec(textOf(r.body))?.[1] ?? "?";
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
};
const since = (before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(modelCalls()).flatMap(([k, v]) =>
      v - (before[k] ?? 0) > 0 ? [[k, v - (before[k] ?? 0)]] : [],
    ),
  );
const latestChecks = (repo: RepoState, sha: string) => {
  const latest = new Map<string, { id: number; conclusion: string | null }>();
  for (const r of repo.checkRuns.values())
    if (r.headSha === sha && (latest.get(r.name)?.id ?? -1) < r.id) latest.set(r.name, r);
  return Object.fromEntries([...latest].map(([name, r]) => [name, r.conclusion]).sort());
};
const reruns = (repo: RepoState) =>
  rig.github.requests.filter(
    (r) =>
      r.template === "/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs" &&
      r.path.includes(`/${repo.name}/`),
  );
const commentsOn = (repo: RepoState, pull: Pull) =>
  [...repo.comments.values()].filter((c) => c.issueNumber === pull.number).map((c) => c.body);

// A timing test that fails on a loaded runner: here, on the first attempt of every workflow run.
const CLOCK = [
  "// Checks that a timer fires on time.",
  'if (process.env.GITHUB_RUN_ATTEMPT === "1") {',
  '  console.log("test/clock.mjs:3:1: error: the timer fired 40 ms late");',
  "  process.exit(1);",
  "}",
  'console.log("clock ok");',
  "",
].join("\n");
// A test that the base branch already fails, whatever the change.
const LEGACY = [
  "// Legacy date parsing, broken on main.",
  'console.log("test/legacy.mjs:2:1: error: parseDate(\\"2024-02-29\\") returned March 1");',
  "process.exit(1);",
  "",
].join("\n");

describe("flaky and pre-existing failures", () => {
  it("re-runs a job that fails once in a test the change does not reach: no revision, green", {
    timeout: 60_000,
  }, async () => {
    const before = modelCalls();
    const repo = createStatsLibraryRepo(rig.github, "flaky-clock", "", {
      files: { "test/clock.mjs": CLOCK },
    });
    rig.github.ci.enable(repo, "node test/check.mjs && node test/clock.mjs", { name: "test" });
    const spec = rig.github.openIssue(repo, "Stats library (correct)", "Write `summary(xs)`: the mean.");
    const outcomes = rig.reviewOutcomes.length;
    rig.github.labelIssue(repo, spec, "swarm");
    await rig.until(() => rig.reviewOutcomes.slice(outcomes).some((o) => o.kind === "green"), 50_000);
    await rig.github.ci.settled();
    await rig.settled();

    const seen = rig.reviewOutcomes
      .slice(outcomes)
      .filter((o) => o.kind !== "waiting" && o.kind !== "ignored");
    expect(seen).toEqual([{ kind: "rerunning", checks: ["test"] }, { kind: "green" }]);
    // Every node coded once, and the reviewer never asked about a failure: nothing was revised. It checked
    // the green head against the spec, once.
    expect(since(before)).toEqual({ core: 1, stats: 1, format: 1, index: 1, specCheck: 1 });
    expect(reruns(repo).map((r) => r.status)).toEqual([201]);

    const pull = pullOf(repo);
    const head = headOf(repo, pull);
    expect(latestChecks(repo, head)).toEqual({ swarm: "success", test: "success" });
    const attempts = [...repo.jobs.values()].filter((j) => j.headSha === head && j.name === "test");
    expect(attempts.map((j) => [j.runAttempt, j.conclusion])).toEqual([
      [1, "failure"],
      [2, "success"],
    ]);
    expect(pull.draft).toBe(false);

    // The PR says what was re-run, why, and what it showed; the dashboard says it too.
    const said = commentsOn(repo, pull).find((b) => b.startsWith("**Re-ran `test`"));
    expect(said).toContain(`**Re-ran \`test\` on \`${head.slice(0, 7)}\` before revising**`);
    expect(said).toContain(
      "- `test`: it fails in `test/clock.mjs`, which this change does not touch, nor anything it imports",
    );
    expect(said).toContain("What it showed: it passed on the re-run, so the first failure was flaky");
    const dashboard = dashboardOf(repo, spec)?.body ?? "";
    expect(readMarker(dashboard, "dashboard")).toMatchObject({
      status: "green",
      reruns: [{ sha: head, checks: ["test"] }],
    });
    expect(dashboard).toContain("after a re-run of `test`, which failed once and then passed");
  });

  it("reports a check that fails on the base branch too as pre-existing, and revises nothing", {
    timeout: 60_000,
  }, async () => {
    const before = modelCalls();
    const repo = createStatsLibraryRepo(rig.github, "red-main", "", { files: { "test/legacy.mjs": LEGACY } });
    rig.github.ci.enable(repo, "node test/legacy.mjs", { name: "legacy" });
    // The base branch's latest commit ran its workflow too, and `legacy` failed there.
    rig.github.ci.pushed(repo, "main");
    await rig.github.ci.settled();
    const spec = rig.github.openIssue(repo, "Stats library (correct)", "Write `summary(xs)`: the mean.");
    const outcomes = rig.reviewOutcomes.length;
    rig.github.labelIssue(repo, spec, "swarm");
    await rig.until(() => rig.reviewOutcomes.slice(outcomes).some((o) => o.kind === "pre-existing"), 50_000);
    await rig.github.ci.settled();
    await rig.settled();

    expect(
      rig.reviewOutcomes.slice(outcomes).filter((o) => o.kind !== "waiting" && o.kind !== "ignored"),
    ).toEqual([{ kind: "pre-existing", checks: ["legacy"] }]);
    expect(since(before)).toEqual({ core: 1, stats: 1, format: 1, index: 1 });
    // Failing on the base is no flake: nothing re-run.
    expect(reruns(repo)).toEqual([]);

    const pull = pullOf(repo);
    const head = headOf(repo, pull);
    // Never green: swarm's check is neutral; the PR is ready for review, with reviewers asked.
    expect(latestChecks(repo, head)).toEqual({ legacy: "failure", swarm: "neutral", test: "success" });
    expect(pull).toMatchObject({ draft: false, requestedReviewers: ["octocat"] });
    const said = commentsOn(repo, pull).find((b) => b.startsWith("**Pre-existing failures"));
    expect(said).toContain(
      "`legacy` fails on the latest commit of `main` too, with the same failures, so it is not this change's doing and swarm does not revise for it.",
    );
    expect(said).toContain("- **legacy**: failure — legacy failed (exit 1)");
    expect(said).toContain("once `main` is fixed, re-run the checks here and comment `/swarm retry`");
    const dashboard = dashboardOf(repo, spec)?.body ?? "";
    expect(readMarker(dashboard, "dashboard")?.status).toBe("unverified");
    expect(dashboard).toContain(
      "Ready for review but not green: `legacy` fails on `main` too (pre-existing, not revised)",
    );
    expect(dashboard).not.toContain("All checks pass");
  });
});
