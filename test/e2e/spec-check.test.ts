import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { toolResults } from "../support/agent-script.js";
import { git } from "../support/fake-github/bare-repo.js";
import { checksOn, dashboardOf, headOf, pullOf } from "../support/fake-github/views.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel as model, textOf } from "../support/stats-library.js";

// Green checks are not the spec: before the PR is marked ready, the reviewer checks the change against the
// spec's acceptance criteria. Here the spec asks for `summary([])`, which no test covers: CI passes on the
// first head, the reviewer reads `src/index.js`, finds the empty list unhandled, and sends `index` back.

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

const SPEC = [
  "Write a small statistics library: `summary(xs)` prints the mean with two decimals.",
  "",
  "## Acceptance",
  "- `mean([2, 4])` is 3.",
  '- `summary([])` returns "mean: n/a" for an empty list.',
].join("\n");

let count = 0;
async function label(title: string, validation?: string) {
  const repo = createStatsLibraryRepo(rig.github, `spec${++count}`, "", validation ? { validation } : {});
  const spec = rig.github.openIssue(repo, title, SPEC);
  rig.github.labelIssue(repo, spec, "swarm");
  const start = rig.anthropic.requests.length;
  const outcomes = rig.reviewOutcomes.length;
  const requests = () => rig.anthropic.requests.slice(start).map((r) => r.body);
  return {
    repo,
    spec,
    outcomes: () => rig.reviewOutcomes.slice(outcomes),
    /** The reviewer's requests on a green head (the check against the spec), in order. */
    specChecks: () =>
      requests().filter(
        (r) =>
          JSON.stringify(r.system).includes("You are the reviewer of swarm") &&
          textOf(r).includes("check the change against the spec"),
      ),
    coderStarts: (id: string) =>
      requests().filter(
        (r) =>
          r.messages.length === 1 &&
          JSON.stringify(r.system).includes("You are a coder of swarm") &&
          textOf(r).includes(`Your node: \`${id}\``),
      ).length,
  };
}

describe("the check against the spec on green", () => {
  it("finds a missing acceptance criterion: one revision of the node at fault, then ready", {
    timeout: 150_000,
  }, async () => {
    const run = await label("Stats library (correct)");
    await rig.until(() => run.outcomes().some((o) => o.kind === "green" || o.kind === "stopped"), 120_000);
    await rig.github.ci.settled();
    await rig.settled();

    expect(run.outcomes().filter((o) => o.kind !== "ignored" && o.kind !== "waiting")).toEqual([
      { kind: "revising", round: 1, nodes: ["index"] },
      { kind: "green" },
    ]);
    expect(run.coderStarts("index")).toBe(2);
    expect(run.coderStarts("stats")).toBe(1);

    // What the reviewer was shown: the spec's criterion, then the entry point as it was on the first head.
    const [first, firstAnswer, second, secondAnswer] = run.specChecks();
    expect(textOf(first as never)).toContain('`summary([])` returns "mean: n/a"');
    // The plan's interfaces came back from GitHub with the run, and the reviewer checks the change against them.
    expect(textOf(first as never)).toContain(
      "- `formatNumber` (function), provided by `format`, used by `index`:\n    export function formatNumber(x: number): string // two decimals",
    );
    expect(textOf(first as never)).toContain("each interface the plan lists");
    expect(toolResults(firstAnswer as never).at(-1)).toMatch(
      /4\texport function summary\(xs\) \{\n\s+5\t {2}return/,
    );
    expect(toolResults(secondAnswer as never).at(-1)).toContain('if (xs.length === 0) return "mean: n/a";');
    expect(second?.messages).toHaveLength(1);
    expect(run.specChecks()).toHaveLength(4);

    const pull = pullOf(run.repo);
    const reviews = pull.reviews.filter((r) => r.user.login === "swarm-app[bot]");
    const gap = reviews.find((r) => r.body.includes("does not do all the spec asks"));
    expect(gap?.body).toContain(
      "The checks pass, but the change does not do all the spec asks (revision round 1 of 3)",
    );
    expect(gap?.body).toContain("Notes, not blocking:");
    expect(gap?.comments).toEqual([
      expect.objectContaining({ path: "src/index.js", line: 4, body: expect.stringContaining("mean: n/a") }),
    ]);
    // CI passed on the first head, but swarm's check did not: the spec was not met there.
    expect(checksOn(run.repo, gap?.commitId ?? "")).toEqual({ swarm: "failure", test: "success" });
    expect(git(run.repo.bare, "show", `${gap?.commitId}:src/index.js`)).not.toContain("n/a");

    // The final head: the guard is there, the notes went out as a review of their own, and the PR is ready.
    const head = headOf(run.repo, pull);
    expect(git(run.repo.bare, "show", `${head}:src/index.js`)).toContain('return "mean: n/a"');
    expect(checksOn(run.repo, head)).toEqual({ swarm: "success", test: "success" });
    // (A reply on the gap's thread is a review of its own on GitHub, with no body: not this one.)
    const notes = reviews.find((r) => r.commitId === head && r.body.includes("Checked against the spec"));
    expect(notes?.body).toContain("**Checked against the spec: the change does what it asks.**");
    expect(notes?.body).toContain("`formatNumber` could say in a comment");
    expect(pull.draft).toBe(false);
    // The gap's line comment was answered with the commit that addressed it, and its thread resolved.
    const replies = pull.reviews
      .flatMap((r) => r.comments)
      .filter((c) => c.inReplyTo === gap?.comments[0]?.id);
    expect(replies.map((c) => c.body)).toEqual([
      expect.stringContaining(`Addressed in ${head} by node \`index\``),
    ]);
    expect(gap?.comments[0]?.resolved).toBe(true);
    const dashboard = dashboardOf(run.repo, run.spec)?.body ?? "";
    expect(readMarker(dashboard, "dashboard")).toMatchObject({ status: "green", round: 1, standing: [] });
    expect(dashboard).toContain(
      "after 1 revision round, checked against the spec, with 1 note in a review: the pull request is ready for review.",
    );
  });

  it("with `validation.specCheck: false`, green checks alone mark the PR ready", {
    timeout: 120_000,
  }, async () => {
    const run = await label(
      "Stats library (correct)",
      "validation:\n  commands: [sh lint.sh]\n  specCheck: false\n",
    );
    await rig.until(() => run.outcomes().some((o) => o.kind === "green" || o.kind === "stopped"), 90_000);
    await rig.settled();
    expect(run.specChecks()).toHaveLength(0);
    expect(run.coderStarts("index")).toBe(1);
    expect(pullOf(run.repo).draft).toBe(false);
  });

  it("a revision that changes nothing leaves the gap standing: the run stops, never green", {
    timeout: 150_000,
  }, async () => {
    const run = await label("Stats library (correct) (unmoved)");
    const status = () => readMarker(dashboardOf(run.repo, run.spec)?.body, "dashboard")?.status;
    await rig.until(
      () => run.outcomes().some((o) => o.kind === "revising") && status() === "failed",
      120_000,
    );
    await rig.settled();

    expect(run.outcomes().filter((o) => o.kind !== "ignored" && o.kind !== "waiting")).toEqual([
      { kind: "revising", round: 1, nodes: ["index"] },
    ]);
    const pull = pullOf(run.repo);
    expect(pull.draft).toBe(true);
    const stopped = [...run.repo.comments.values()].find(
      (c) => c.issueNumber === pull.number && c.body.startsWith("**swarm stopped"),
    );
    expect(stopped?.body).toContain("what the last round was sent to fix still stands");
    expect(stopped?.body).toContain("the last revision changed nothing in the pull request");
    expect(stopped?.body).toContain('`src/index.js:4`: The spec asks that `summary([])` return "mean: n/a"');
    expect(stopped?.body).toContain("Round 1: revised `index` (1 finding).");
    expect(checksOn(run.repo, headOf(run.repo, pull))).toEqual({ swarm: "failure", test: "success" });
  });
});
