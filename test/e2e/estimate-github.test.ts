import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRepoConfig } from "../../src/domain/config/parse-repo-config.js";
import { estimatePlan } from "../../src/domain/estimate/estimate-plan.js";
import type { PlanEstimate } from "../../src/domain/estimate/run-actuals.js";
import { readMarker } from "../../src/domain/markers.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisCalibration } from "../../src/queue/redis-calibration.js";
import { createRedisLedger } from "../../src/queue/redis-ledger.js";
import { git } from "../support/fake-github/bare-repo.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { dashboardOf, pullOf } from "../support/fake-github/views.js";
import { forgeFor } from "../support/github-rig.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel } from "../support/stats-library.js";

// On GitHub, as on the CLI, the estimate learns from the repository's finished runs: the first run of a
// repository rests on the priors; when its review ends it green, its actuals are kept (in Redis, by the
// worker), and the second spec's estimate rests on them. The fake GitHub, real Redis, git and sandbox.
let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(statsLibraryModel, { execute: true });
});
afterAll(() => rig.stop());

const markerOf = (repo: RepoState, spec: Issue) => readMarker(dashboardOf(repo, spec)?.body, "dashboard");

async function runToGreen(repo: RepoState, title: string) {
  const spec = rig.github.openIssue(
    repo,
    title,
    "Write a small statistics library: `summary(xs)` prints the mean.",
  );
  rig.github.labelIssue(repo, spec, "swarm");
  await rig.until(() => markerOf(repo, spec)?.status === "green", 90_000);
  await rig.settled();
  return spec;
}

describe("the estimate of a plan on GitHub", () => {
  it("rests on the priors first, then on the first run's actuals", { timeout: 180_000 }, async () => {
    const repo = createStatsLibraryRepo(rig.github, "stats-estimate");
    const first = await runToGreen(repo, "Stats library (correct)");
    const firstMarker = markerOf(repo, first);
    expect(firstMarker?.estimate?.basis).toBe("priors");
    expect(firstMarker?.estimate?.runs).toBe(0);

    // The worker kept what the first run took: every node's first coding timed, one review, its spending.
    const redis = createRedis();
    const prefix = rig.prefix;
    const kept = await createRedisCalibration(redis, prefix).read({ owner: "acme", name: "stats-estimate" });
    const ledger = await createRedisLedger(redis, prefix, firstMarker?.runId ?? "", {}).read();
    redis.disconnect();
    expect(kept).toHaveLength(1);
    const actuals = kept[0];
    expect(actuals?.runId).toBe(firstMarker?.runId);
    expect(actuals?.status).toBe("green");
    expect(actuals?.reviews).toBe(1);
    expect(actuals?.nodes.map((n) => n.id).sort()).toEqual(["core", "format", "index", "stats"]);
    for (const n of actuals?.nodes ?? []) {
      expect(n.seconds).toBeGreaterThan(0);
      expect(n.tokens).toBe(ledger.byNode[n.id]?.tokens);
    }
    expect(actuals?.tokens).toBe(ledger.tokens);
    expect(actuals?.usd).toBeCloseTo(ledger.usd, 9);
    // The whole run is longer than its planning plus its longest node: merging and review come after.
    const longest = Math.max(...(actuals?.nodes ?? []).map((n) => n.seconds));
    expect(actuals?.seconds ?? 0).toBeGreaterThan((actuals?.planSeconds ?? 0) + longest);
    expect(actuals?.estimate).toEqual(firstMarker?.estimate);

    const second = await runToGreen(repo, "Stats library again (correct)");
    const estimate = markerOf(repo, second)?.estimate as PlanEstimate;
    expect(estimate.basis).toBe("1 earlier run");
    expect(estimate.runs).toBe(1);
    // The same arithmetic over the kept actuals gives the same figures (planning's own spend aside).
    const config = parseRepoConfig(git(repo.bare, "show", "main:.github/swarm.yml"));
    if (!config.ok) throw new Error("the repository's config is invalid");
    const run = await forgeFor(rig.github, repo).loadRun(second.number);
    if (!run) throw new Error("the second run is not on GitHub");
    const again = estimatePlan({ plan: run.plan, config: config.config, calibration: kept });
    expect(again.seconds).toEqual(estimate.seconds);
    expect(again.tokens.byRole.coder).toEqual(estimate.tokens.byRole.coder);
    expect(again.tokens.byRole.reviewer).toEqual(estimate.tokens.byRole.reviewer);
    // The PR body shows the second estimate beside what the run did.
    const secondPull = [...repo.pulls.values()].at(-1);
    expect(secondPull?.number).not.toBe(pullOf(repo).number);
    expect(secondPull?.body).toContain("based on 1 earlier run");
  });
});
