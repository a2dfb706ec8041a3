import { describe, expect, it } from "vitest";
import { EMPTY_LEDGER, recordUsage } from "../../../src/domain/budget/budget.js";
import { RepoConfigSchema } from "../../../src/domain/config/repo-config.js";
import { actualsOfRun } from "../../../src/domain/estimate/actuals-of-run.js";
import { compareEstimate } from "../../../src/domain/estimate/compare-estimate.js";
import { describeEstimate } from "../../../src/domain/estimate/describe-estimate.js";
import {
  estimatePlan,
  PRIORS,
  scheduleLength,
  spreadOf,
} from "../../../src/domain/estimate/estimate-plan.js";
import type { RunActuals } from "../../../src/domain/estimate/run-actuals.js";
import { node, plan } from "../../support/plans.js";

const config = RepoConfigSchema.parse({});
const S = { size: "S" as const };

// The default models: the planner on claude-opus-5-5 ($4/$20/$0.2/$5 per million), the coder and the
// reviewer on claude-sonnet-5-5 ($2/$10/$0.1/$2.5).
describe("estimatePlan without earlier runs", () => {
  it("adds up the priors by role and prices each role's tokens in its prior mix", () => {
    const e = estimatePlan({ plan: plan(node("a", [], undefined, S)), config });
    expect(e.basis).toBe("priors");
    expect(e.tokens.byRole).toEqual({
      planner: { model: "claude-opus-5-5", low: 30_000, high: 200_000 },
      coder: { model: "claude-sonnet-5-5", low: 150_000, high: 600_000 },
      // one review at the low end, two (one revision round) at the high end
      reviewer: { model: "claude-sonnet-5-5", low: 60_000, high: 800_000 },
    });
    expect(e.tokens.low).toBe(240_000);
    expect(e.tokens.high).toBe(1_600_000);
    // USD per million in the prior mixes: planner 0.3·4 + 0.15·20 + 0.4·0.2 + 0.15·5 = 5.03;
    // coder 0.03·2 + 0.04·10 + 0.85·0.1 + 0.08·2.5 = 0.745; reviewer 0.05·2 + 0.03·10 + 0.82·0.1 + 0.1·2.5 = 0.732
    expect(e.usd.low).toBeCloseTo(0.03 * 5.03 + 0.15 * 0.745 + 0.06 * 0.732, 9);
    expect(e.usd.high).toBeCloseTo(0.2 * 5.03 + 0.6 * 0.745 + 0.8 * 0.732, 9);
    // one S node (120–600 s), then one review (120 s) or two (900 s each)
    expect(e.seconds).toEqual({ low: 240, high: 2400 });
    expect(describeEstimate(e)).toBe("$0.31–$2.04 · 240K–1.6M tokens · 4–40 min · based on priors");
  });

  it("counts the planner's spending as known once planning is done, and no more reviews than the limit", () => {
    const spent = recordUsage(
      EMPTY_LEDGER,
      "claude-opus-5-5",
      { inputTokens: 40_000, outputTokens: 2_000, cacheReadTokens: 0, cacheWriteTokens: 0 },
      config.prices,
    );
    const noRevisions = RepoConfigSchema.parse({ limits: { maxRevisionRounds: 0 } });
    const e = estimatePlan({ plan: plan(node("a", [], undefined, S)), config: noRevisions, spent });
    expect(e.tokens.byRole.planner).toEqual({ model: "claude-opus-5-5", low: 42_000, high: 42_000 });
    expect(e.planned).toEqual({ tokens: 42_000, usd: (40_000 * 4 + 2_000 * 20) / 1e6 });
    expect(e.tokens.byRole.reviewer).toMatchObject({ low: 60_000, high: 400_000 }); // one review at most
    expect(e.usd.low).toBeCloseTo(0.2 + 0.15 * 0.745 + 0.06 * 0.732, 9);
    expect(e.seconds).toEqual({ low: 240, high: 1500 });
  });
});

describe("scheduleLength", () => {
  const p = plan(node("a"), node("b"), node("c"), node("d", ["a"]));
  const seconds = { a: 10, b: 10, c: 10, d: 20 };
  it("runs the longest chain first, within the parallel limit", () => {
    expect(scheduleLength(p, seconds, 1)).toBe(50);
    // a (its chain is 30) and b at 0; at 10, d and c; d ends at 30
    expect(scheduleLength(p, seconds, 2)).toBe(30);
    expect(scheduleLength(p, seconds, 4)).toBe(30);
    // the chain is not first if the scheduler picked by plan order: c and b would hold both slots
    expect(scheduleLength(plan(node("b"), node("c"), node("a"), node("d", ["a"])), seconds, 2)).toBe(30);
    expect(scheduleLength(plan(node("x")), { x: 7 }, 3)).toBe(7);
  });
});

describe("spreadOf", () => {
  it("is the mean give or take the larger of one sd and a share of the mean that narrows with samples", () => {
    expect(spreadOf([], { low: 1, high: 2 })).toEqual({ low: 1, high: 2 });
    expect(spreadOf([100], { low: 1, high: 2 })).toEqual({ low: 50, high: 150 });
    // mean 100, sd 80 (larger than 0.5·100/2 = 25)
    expect(spreadOf([20, 180, 20, 180], { low: 1, high: 2 })).toEqual({ low: 20, high: 180 });
    // mean 100, sd 0: 25 either side
    expect(spreadOf([100, 100, 100, 100], { low: 1, high: 2 })).toEqual({ low: 75, high: 125 });
    // never below zero
    expect(spreadOf([0, 0, 0, 400], { low: 1, high: 2 }).low).toBe(0);
  });
});

describe("estimatePlan with an earlier run", () => {
  // One S node of 100K tokens in 200 s; planning 20K tokens in 30 s; one review of 50K tokens; the whole
  // run 330 s, so 100 s after the node for merging, checks and the review.
  const earlier: RunActuals = {
    v: 1,
    runId: "local-1",
    status: "green",
    finishedAt: "2026-01-01T00:00:00.000Z",
    seconds: 330,
    planSeconds: 30,
    reviews: 1,
    nodes: [{ id: "x", size: "S", tokens: 100_000, usd: 0.1, seconds: 200 }],
    roles: {
      planner: { model: "claude-opus-5-5", tokens: 20_000, usd: 0.08 },
      coder: { model: "claude-sonnet-5-5", tokens: 100_000, usd: 0.1 },
      reviewer: { model: "claude-sonnet-5-5", tokens: 50_000, usd: 0.05 },
    },
    byModel: {
      "claude-opus-5-5": { inputTokens: 20_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      "claude-sonnet-5-5": {
        inputTokens: 10_000,
        outputTokens: 10_000,
        cacheReadTokens: 130_000,
        cacheWriteTokens: 0,
      },
    },
    usd: 0.23,
    tokens: 170_000,
  };
  // Two S nodes in parallel, then an M node (no M node ran before: scaled from S by SIZE_WEIGHTS, 2×).
  const next = plan(node("a", [], undefined, S), node("b", [], undefined, S), node("c", ["a", "b"]));

  it("scales every figure by the observed means, with the spread of one sample", () => {
    const e = estimatePlan({ plan: next, config, calibration: [earlier] });
    expect(e.basis).toBe("1 earlier run");
    expect(e.runs).toBe(1);
    // S: 100K ± 50K each; M: 200K ± 100K
    expect(e.tokens.byRole.coder).toMatchObject({ low: 50_000 + 50_000 + 100_000, high: 600_000 });
    // reviews 1 ± 0.5 → 1 to 2; 50K ± 25K each
    expect(e.tokens.byRole.reviewer).toMatchObject({ low: 25_000, high: 150_000 });
    expect(e.tokens.byRole.planner).toMatchObject({ low: 10_000, high: 30_000 });
    // the mixes the models showed: opus all input ($4/M); sonnet (10K·2 + 10K·10 + 130K·0.1)/150K $/M
    const sonnet = (10_000 * 2 + 10_000 * 10 + 130_000 * 0.1) / 150_000;
    expect(e.usd.low).toBeCloseTo((10_000 * 4 + 225_000 * sonnet) / 1e6, 9);
    expect(e.usd.high).toBeCloseTo((30_000 * 4 + 750_000 * sonnet) / 1e6, 9);
    // S 100–300 s, M 200–600 s: a and b together, then c; then 1 review of 50 s or 2 of 150 s
    expect(e.seconds).toEqual({ low: 100 + 200 + 50, high: 300 + 600 + 300 });
    const priors = estimatePlan({ plan: next, config });
    expect(e.usd.high).toBeLessThan(priors.usd.high);
    expect(priors.tokens.byRole.coder.low).toBe(2 * PRIORS.node.S.tokens.low + PRIORS.node.M.tokens.low);
  });

  it("takes a run's actuals from its ledger and node times, and puts them beside the estimate", () => {
    let ledger = recordUsage(
      EMPTY_LEDGER,
      "claude-opus-5-5",
      { inputTokens: 20_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      config.prices,
    );
    const estimate = estimatePlan({ plan: next, config, spent: ledger });
    const sonnet = (n: number) => ({
      inputTokens: n,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    ledger = recordUsage(ledger, "claude-sonnet-5-5", sonnet(70_000), config.prices, "a");
    ledger = recordUsage(ledger, "claude-sonnet-5-5", sonnet(30_000), config.prices, "c");
    ledger = recordUsage(ledger, "claude-sonnet-5-5", sonnet(50_000), config.prices); // the review
    const actuals = actualsOfRun({
      runId: "local-2",
      status: "failed",
      finishedAt: "2026-01-02T00:00:00.000Z",
      plan: next,
      ledger,
      models: config.models,
      estimate,
      seconds: 400,
      planSeconds: 40,
      nodeSeconds: { a: 100, c: 150 }, // b never ran
      reviews: 1,
    });
    expect(actuals.nodes).toEqual([
      { id: "a", size: "S", tokens: 70_000, usd: 0.14, seconds: 100 },
      { id: "c", size: "M", tokens: 30_000, usd: 0.06, seconds: 150 },
    ]);
    expect(actuals.roles.planner).toEqual({ model: "claude-opus-5-5", tokens: 20_000, usd: 0.08 });
    expect(actuals.roles.coder).toMatchObject({ tokens: 100_000 });
    expect(actuals.roles.reviewer).toMatchObject({ tokens: 50_000 });
    expect(actuals.roles.reviewer?.usd).toBeCloseTo(0.1, 9);
    const rows = compareEstimate(estimate, {
      usd: actuals.usd,
      tokens: actuals.tokens,
      byRole: { planner: 20_000, coder: 100_000, reviewer: 50_000 },
      seconds: actuals.seconds - actuals.planSeconds,
    });
    expect(rows).toEqual([
      ["cost", expect.stringMatching(/^\$\d\.\d\d–\$\d\.\d\d$/), "$0.38"],
      ["tokens", expect.any(String), "170K"],
      ["planner (claude-opus-5-5)", "20K", "20K"],
      ["coder (claude-sonnet-5-5)", "700K–2.7M", "100K"],
      ["reviewer (claude-sonnet-5-5)", "60K–800K", "50K"],
      // priors: a and b (120–600 s) together, then c (300–1200 s), then 1 review of 120 s or 2 of 900 s
      ["time after planning", "9–60 min", "6 min"],
    ]);
  });
});
