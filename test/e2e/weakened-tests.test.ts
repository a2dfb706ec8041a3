import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import type { Plan } from "../../src/domain/plan/plan.js";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { reply } from "../support/fake-anthropic/script.js";
import { git } from "../support/fake-github/bare-repo.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { checksOn, pullOf } from "../support/fake-github/views.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { node } from "../support/plans.js";
import { textOf } from "../support/stats-library.js";

// No cheating to green: the repository's tests fail on two bugs; revised, one coder skips its failing test and the other
// deletes its assertion, so CI passes. swarm catches both in the PR's diff, keeps the PR a draft and sends
// both back with the finding; shown it, the coders fix the code and the run goes green. A coder that
// weakens its test again after being told fails the run. Scripted coders; real Redis, git and sandbox.

const plan: Plan = {
  summary: "stats and format, each with its own test, in parallel.",
  nodes: [
    node("stats", [], ["src/stats.js", "test/stats.test.js"], { title: "Mean of a list" }),
    node("format", [], ["src/format.js", "test/format.test.js"], { title: "Number formatting" }),
  ],
};

const STATS_TEST =
  'import { it } from "node:test";\nimport assert from "node:assert/strict";\nimport { mean } from "../src/stats.js";\n\nit("mean of two", () => {\n  assert.equal(mean([2, 4]), 3);\n});\n';
const FORMAT_TEST =
  'import { it } from "node:test";\nimport assert from "node:assert/strict";\nimport { formatNumber } from "../src/format.js";\n\nit("two decimals", () => {\n  assert.equal(formatNumber(1), "1.00");\n});\n';

/**
 * What each coder writes at each stage: first the code with its bug (the tests are the repository's), then,
 * revised, the same bug with its test weakened, then (told) the code fixed and the test restored.
 */
function filesOf(id: string, stage: "first" | "cheat" | "fixed", again: boolean): Record<string, string> {
  const tests: Record<string, string> =
    id === "stats"
      ? { "test/stats.test.js": STATS_TEST.replace('it("mean', 'it.skip("mean') }
      : {
          "test/format.test.js": FORMAT_TEST.replace(
            '  assert.equal(formatNumber(1), "1.00");\n',
            "  formatNumber(1);\n",
          ),
        };
  const restored: Record<string, string> =
    id === "stats" ? { "test/stats.test.js": STATS_TEST } : { "test/format.test.js": FORMAT_TEST };
  const code =
    id === "stats"
      ? `${again ? "// Averages a list.\n" : ""}export function mean(xs) {\n  return xs.reduce((a, b) => a + b, 0) / ${stage === "fixed" ? "xs.length" : "(xs.length + 1)"};\n}\n`
      : `export function formatNumber(n) {\n  return n.toFixed(${stage === "fixed" ? 2 : 1});\n}\n`;
  return { [`src/${id}.js`]: code, ...(stage === "cheat" ? tests : stage === "fixed" ? restored : {}) };
}

function model(req: MessageCreateParams) {
  const system = JSON.stringify(req.system);
  const text = textOf(req);
  if (system.includes("You are the planner of swarm")) return reply.json(plan);
  if (system.includes("You are the reviewer of swarm")) {
    const findings = [
      ["mean of two", "src/stats.js", "stats", "`mean` divides by one too many; divide by `xs.length`."],
      ["two decimals", "src/format.js", "format", "`formatNumber` rounds to one decimal; use two."],
    ]
      .filter(([name]) => text.includes(`✖ ${name}`))
      .map(([, path, owner, message]) => ({ path, line: 0, message, node: owner, interfaceChanged: false }));
    return reply.json({ summary: "The tests show two bugs.", findings });
  }
  const id = /Your node: `([a-z0-9-]+)`/.exec(text)?.[1] ?? "";
  const told = text.includes("Weakened tests (");
  const stubborn = text.includes("(stubborn)") && id === "stats";
  const stage = !text.includes("This node is being revised")
    ? "first"
    : told && !stubborn
      ? "fixed"
      : "cheat";
  const files = Object.entries(filesOf(id, stage, told && stubborn));
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  const file = files[turn];
  if (file) return call.create(file[0], file[1]);
  if (turn === files.length) return call.finish(`${stage} ${id}.`);
  return reply.text("Done.");
}

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

let count = 0;
function label(title: string): { repo: RepoState; spec: Issue } {
  const repo = rig.github.createRepo(
    "acme",
    `weakened${++count}`,
    {
      "package.json": '{ "name": "stats", "type": "module", "private": true }\n',
      "lint.sh": 'for f in src/*.js; do node --check "$f" || exit 1; done; echo "syntax ok"\n',
      "src/.keep": "",
      // The repository's tests, which the nodes must make pass (and own, so a wrong one could be fixed).
      "test/stats.test.js": STATS_TEST,
      "test/format.test.js": FORMAT_TEST,
      ".github/swarm.yml": "validation:\n  commands: [sh lint.sh]\npullRequest:\n  reviewers: [octocat]\n",
    },
    { gitOverHttp: true },
  );
  rig.github.ci.enable(repo, "node --test --test-reporter=spec", { name: "test" });
  const spec = rig.github.openIssue(
    repo,
    title,
    "Write `mean(xs)` and `formatNumber(n)` (two decimals), with tests.",
  );
  rig.github.labelIssue(repo, spec, "swarm");
  return { repo, spec };
}

const dashboardOf = (repo: RepoState, spec: Issue) =>
  readMarker(
    [...repo.comments.values()].find((c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"))
      ?.body,
    "dashboard",
  );
/** The first prompt of each revision of `id`'s coder. */
const revisionPrompts = (id: string) =>
  rig.anthropic.requests
    .filter(
      (r) =>
        r.body.messages.length === 1 && JSON.stringify(r.body.system).includes("You are a coder of swarm"),
    )
    .map((r) => textOf(r.body))
    .filter((t) => t.includes(`Your node: \`${id}\``) && t.includes("This node is being revised"));

describe("no cheating to green", () => {
  it("catches a skipped test and a deleted assertion, keeps the PR a draft, sends both back, then goes green", {
    timeout: 60_000,
  }, async () => {
    const from = rig.reviewOutcomes.length;
    const { repo, spec } = label("Stats and format");
    await rig.until(
      () => rig.reviewOutcomes.slice(from).some((o) => o.kind === "revising" && o.round === 2),
      50_000,
    );
    // Caught on a head whose checks pass: the PR is still a draft.
    const cheated = pullOf(repo);
    expect(cheated.draft).toBe(true);
    await rig.until(
      () =>
        rig.reviewOutcomes
          .slice(from)
          .some((o) => o.kind !== "revising" && o.kind !== "waiting" && o.kind !== "ignored"),
      50_000,
    );
    await rig.github.ci.settled();
    await rig.settled();

    expect(rig.reviewOutcomes.slice(from).filter((o) => o.kind === "revising" || o.kind === "green")).toEqual(
      [
        { kind: "revising", round: 1, nodes: ["stats", "format"] },
        { kind: "revising", round: 2, nodes: ["format", "stats"] },
        { kind: "green" },
      ],
    );
    const pull = pullOf(repo);
    const review = pull.reviews.find((r) => r.body.includes("**Weakened tests (revision round 2 of 3)**"));
    expect(review?.body).toContain("`test/stats.test.js:5`: Weakened tests (added-skip):");
    expect(review?.body).toContain("`test/format.test.js:6`: Weakened tests (removed-assertion):");
    // On the cheating head CI passed, yet swarm's check failed and named the weakened tests.
    expect(checksOn(repo, review?.commitId ?? "")).toEqual({ swarm: "failure", test: "success" });
    const swarmCheck = [...repo.checkRuns.values()].find(
      (r) => r.name === "swarm" && r.headSha === review?.commitId,
    );
    expect(swarmCheck?.title).toBe("Weakened tests; revising format, stats");
    expect(swarmCheck?.summary).toMatch(
      /^Weakened tests: `test\/format\.test\.js` \(removed-assertion\), `test\/stats\.test\.js` \(added-skip\)\./,
    );

    // Each coder was shown its finding in its revision's prompt.
    const [statsFirst, statsTold] = revisionPrompts("stats");
    expect(statsFirst).toContain("divides by one too many");
    expect(statsTold).toContain('Weakened tests (added-skip): `it.skip("mean of two", () => {');
    expect(statsTold).toContain("not by skipping it");
    const [, formatTold] = revisionPrompts("format");
    expect(formatTold).toContain(
      'Weakened tests (removed-assertion): `assert.equal(formatNumber(1), "1.00")',
    );

    // Green only once the tests stand as they were, with the code fixed.
    expect(pull.draft).toBe(false);
    expect(git(repo.bare, "show", `${pull.head}:test/stats.test.js`)).toBe(STATS_TEST.trimEnd());
    expect(git(repo.bare, "show", `${pull.head}:test/format.test.js`)).toBe(FORMAT_TEST.trimEnd());
    expect(dashboardOf(repo, spec)).toMatchObject({
      status: "green",
      round: 2,
      weakened: { stats: [review?.commitId], format: [review?.commitId] },
    });
  });

  it("fails the run when a node weakens its test again after being told, naming the finding", {
    timeout: 60_000,
  }, async () => {
    const from = rig.reviewOutcomes.length;
    const { repo, spec } = label("Stats and format (stubborn)");
    await rig.until(
      () => rig.reviewOutcomes.slice(from).some((o) => o.kind === "stopped" || o.kind === "green"),
      50_000,
    );
    await rig.settled();
    expect(
      rig.reviewOutcomes.slice(from).filter((o) => o.kind !== "waiting" && o.kind !== "ignored"),
    ).toEqual([
      { kind: "revising", round: 1, nodes: ["stats", "format"] },
      { kind: "revising", round: 2, nodes: ["format", "stats"] },
      { kind: "stopped", reason: "`stats` weakened the tests again after being sent back for it" },
    ]);
    const pull = pullOf(repo);
    const stopped = [...repo.comments.values()].find(
      (c) => c.issueNumber === pull.number && c.body.startsWith("**swarm stopped"),
    );
    expect(stopped?.body.split("\n")[0]).toMatch(
      /^\*\*swarm stopped on `[0-9a-f]{7}`: `stats` weakened the tests again after being sent back for it\.\*\*$/,
    );
    expect(stopped?.body).toContain(
      '- `test/stats.test.js:5` (added-skip, node `stats`): `it.skip("mean of two"',
    );
    expect(stopped?.body).toContain("**Fix:** restore the tests on this branch yourself");
    expect(pull.draft).toBe(true);
    expect(checksOn(repo, git(repo.bare, "rev-parse", pull.head))).toEqual({
      swarm: "failure",
      test: "success",
    });
    expect(dashboardOf(repo, spec)?.status).toBe("failed");
  });
});
