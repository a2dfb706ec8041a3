import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUN_LEVEL } from "../../src/domain/budget/budget.js";
import { parseRepoConfig } from "../../src/domain/config/parse-repo-config.js";
import { LONG_CHECKS_SECONDS } from "../../src/domain/estimate/choose-cache-ttl.js";
import { describeEstimate } from "../../src/domain/estimate/describe-estimate.js";
import { estimatePlan, PRIORS } from "../../src/domain/estimate/estimate-plan.js";
import { type RunActuals, RunActualsSchema } from "../../src/domain/estimate/run-actuals.js";
import type { Plan } from "../../src/domain/plan/plan.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { type Ran, runSwarm } from "../support/swarm-cli.js";
import { todoAppModel } from "../support/todo-app-model.js";
import { gitIn } from "../support/user-repo.js";

// The estimate learns from a repository's finished runs: `swarm plan` and a first `swarm run` on a fresh
// repository estimate from the priors; the second run's estimate rests on the first run's actuals, kept in
// .git/swarm/runs/calibration.jsonl; each report and PR body shows the estimate beside the actual. Live
// against the fake Messages API with the scripted model; real git and sandbox.
const root = resolve(import.meta.dirname, "../..");
let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({ model: todoAppModel });
});
afterAll(() => anthropic.stop());

const swarm = (args: string[], cwd: string) => runSwarm(args, { anthropic, cwd });
const runDirOf = (r: Ran) => {
  const dir = /report: (\S+)\/report\.md/.exec(r.stdout)?.[1];
  if (!dir) throw new Error(`no report in the output:\n${r.stdout}\n${r.stderr}`);
  return dir;
};
// Off a terminal, each line `swarm run` prints is stamped with the time since the start.
const estimateLine = (r: Ran) => /^\[ *[\d.]+ s\] estimate: (.+)$/m.exec(r.stdout)?.[1];

describe("the estimate of a plan", () => {
  it("rests on the priors at first, then on the first run's actuals; reports show it beside the actual", async () => {
    const repo = join(mkdtempSync(join(tmpdir(), "swarm-estimate-")), "todo-app");
    cpSync(join(root, "examples/todo-app"), repo, { recursive: true });
    gitIn(repo, "init", "-q", "-b", "main");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-qm", "start");
    const spec = join(root, "examples/todo-app.spec.md");
    const config = parseRepoConfig(readFileSync(join(repo, ".github/swarm.yml"), "utf8"));
    if (!config.ok) throw new Error("the example's config is invalid");

    const planned = await swarm(["plan", "--repo", ".", "--spec", spec], repo);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/^estimate: \$[\d.]+–\$[\d.]+ · .+ tokens · .+ · based on priors$/m);
    expect(planned.stdout).toMatch(/^ {2}tokens by role: planner \(claude-opus-5-5\) [\d.]+K · coder/m);
    expect(planned.stderr).toContain("based on priors; trace:");

    const first = await swarm(["run", "--repo", ".", "--spec", spec], repo);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(estimateLine(first)).toMatch(/based on priors$/);
    const calibration = () =>
      readFileSync(join(repo, ".git/swarm/runs/calibration.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RunActuals & { repo: string });
    const [kept] = calibration();
    if (!kept) throw new Error("the first run kept no actuals");
    expect(RunActualsSchema.safeParse(kept).success).toBe(true);
    expect(kept.status).toBe("green");
    expect(kept.estimate?.basis).toBe("priors");
    expect(kept.nodes.map((n) => [n.id, n.size])).toEqual([
      ["complete", "S"],
      ["format", "S"],
      ["summary", "S"],
    ]);
    // The review found a failing check once, so the result was reviewed twice.
    expect(kept.reviews).toBe(2);
    // The report puts the estimate beside what the run took.
    const report1 = readFileSync(join(runDirOf(first), "report.md"), "utf8");
    expect(report1).toContain("## Estimate and actual\n\nEstimated when the plan was made, based on priors.");
    expect(report1).toContain(
      `| cost | ${kept.estimate ? describeEstimate(kept.estimate).split(" · ")[0] : "?"} | $${kept.usd.toFixed(2)} |`,
    );
    expect(report1).toMatch(
      new RegExp(
        `\\| coder \\(claude-sonnet-5-5\\) \\| [^|]+ \\| ${tokens(kept.roles.coder?.tokens ?? -1)} \\|`,
      ),
    );
    // So does the PR body, as of the last merge.
    const state = JSON.parse(readFileSync(join(runDirOf(first), "state.json"), "utf8")) as {
      pulls: { body: string }[];
    };
    expect(state.pulls[0]?.body).toContain(
      "**Estimate beside actual** (estimated when planned, based on priors; actual as of this merge):",
    );
    expect(state.pulls[0]?.body).toMatch(/\| cost \| \$[\d.]+–\$[\d.]+ \| \$[\d.]+ \|/);

    // The run timed its checks (each node's baseline), and its cache kept five minutes: nothing earlier said
    // the checks were long.
    expect(kept.checkSeconds).toBeGreaterThan(0);
    expect(kept.checkSeconds).toBeLessThan(LONG_CHECKS_SECONDS);
    const ttls = (from: number) =>
      anthropic.requests.slice(from).map((r) => ({
        coder: JSON.stringify(r.body.system).includes("You are a coder of swarm"),
        ttls: [...JSON.stringify(r.body).matchAll(/"cache_control":\{[^}]*\}/g)].map((m) => m[0]),
      }));
    const firstTtls = ttls(0);
    expect(firstTtls.some((r) => r.coder)).toBe(true);
    expect(firstTtls.every((r) => r.ttls.every((c) => !c.includes('"ttl":"1h"')))).toBe(true);
    // Had the checks taken seven minutes (the calibration says so now), `cache.ttl: auto` gives the next
    // run's coders the hour's cache, on every breakpoint they send; the other agents keep five minutes.
    const file = join(repo, ".git/swarm/runs/calibration.jsonl");
    writeFileSync(file, `${JSON.stringify({ ...kept, checkSeconds: 420 })}\n`);
    const before = anthropic.requests.length;

    const second = await swarm(["run", "--repo", ".", "--spec", spec], repo);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const secondTtls = ttls(before);
    const coders = secondTtls.filter((r) => r.coder);
    expect(coders.length).toBeGreaterThan(3);
    expect(coders.every((r) => r.ttls.length > 0 && r.ttls.every((c) => c.includes('"ttl":"1h"')))).toBe(
      true,
    );
    const others = secondTtls.filter((r) => !r.coder);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((r) => r.ttls.every((c) => !c.includes('"ttl":"1h"')))).toBe(true);
    const [, again] = calibration();
    const estimate = again?.estimate;
    if (!estimate) throw new Error("the second run kept no estimate");
    expect(estimate.basis).toBe("1 earlier run");
    expect(estimateLine(second)).toBe(describeEstimate(estimate));
    expect(estimateLine(second)).toMatch(/based on 1 earlier run$/);
    // Its numbers are the first run's actuals put through the estimate (the planner's are its own, known).
    const plan: Plan = { summary: "", nodes: readPlan(runDirOf(second)) };
    const planner = { tokens: estimate.planned?.tokens ?? 0, usd: estimate.planned?.usd ?? 0 };
    const spent = { ...planner, byModel: {}, byNode: { [RUN_LEVEL]: planner } };
    const { repo: _repo, ...firstActuals } = kept;
    expect(estimatePlan({ plan, config: config.config, calibration: [firstActuals], spent })).toEqual(
      estimate,
    );
    // The scripted coder spends far less than the priors assume, and the estimate follows it.
    const coded = kept.nodes.map((n) => n.tokens);
    const mean = coded.reduce((s, x) => s + x, 0) / coded.length;
    expect(estimate.tokens.byRole.coder?.high).toBeLessThan(3 * PRIORS.node.S.tokens.low);
    expect(estimate.tokens.byRole.coder?.low).toBeGreaterThan(0);
    expect(estimate.tokens.byRole.coder?.low).toBeLessThanOrEqual(3 * mean);
    expect(estimate.tokens.byRole.coder?.high).toBeGreaterThanOrEqual(3 * mean);
    const report2 = readFileSync(join(runDirOf(second), "report.md"), "utf8");
    expect(report2).toContain("based on 1 earlier run.");
    expect(report2).toMatch(/\| time after planning \| [^|]+ \| [^|]+ \|/);

    // `swarm plan` now learns from both runs.
    const replanned = await swarm(["plan", "--repo", ".", "--spec", spec], repo);
    expect(replanned.code, replanned.stderr).toBe(0);
    expect(replanned.stdout).toMatch(/^estimate: .+ · based on 2 earlier runs$/m);
  }, 240_000);
});

function tokens(x: number): string {
  return x >= 10_000 ? `${Math.round(x / 1000)}K` : x >= 1000 ? `${(x / 1000).toFixed(1)}K` : `${x}`;
}

/** The plan the run laid out, from the local forge's record of its sub-issues. */
function readPlan(runDir: string): Plan["nodes"] {
  const state = JSON.parse(readFileSync(join(runDir, "state.json"), "utf8")) as {
    nodes: { node: Plan["nodes"][number] }[];
  };
  return state.nodes.map((n) => n.node);
}
