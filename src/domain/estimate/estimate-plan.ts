import { type Ledger, RUN_LEVEL } from "../budget/budget.js";
import { NO_USAGE, totalTokens, type Usage } from "../budget/usage.js";
import type { ModelPrice, RepoConfig } from "../config/repo-config.js";
import { criticalPath } from "../dag/critical-path.js";
import { indexPlan } from "../dag/index-plan.js";
import { NODE_SIZES, type NodeSize, type Plan, SIZE_WEIGHTS } from "../plan/plan.js";
import type { EstimatedRole, PlanEstimate, Range, RunActuals } from "./run-actuals.js";

/**
 * Priors, used until a repository has finished runs of its own. They are judgement, not measurement: no
 * real run stands behind them (the scripted runs of the tests are no evidence of what a model spends). A
 * coder's loop re-reads its cached context every turn, so most of its tokens are cache reads; the top of an
 * L node is the default per-node cap (limits.maxTokensPerNode, 4M). Times are a model's turns plus the
 * checks it runs, for nodes of under an hour of human work (S) to a few hours (L).
 */
export const PRIORS = {
  /** Tokens (all kinds) and seconds of coding one node, by its size. */
  node: {
    S: { tokens: { low: 150_000, high: 600_000 }, seconds: { low: 120, high: 600 } },
    M: { tokens: { low: 400_000, high: 1_500_000 }, seconds: { low: 300, high: 1_200 } },
    L: { tokens: { low: 1_000_000, high: 4_000_000 }, seconds: { low: 600, high: 2_400 } },
  } satisfies Record<NodeSize, { tokens: Range; seconds: Range }>,
  planner: { tokens: { low: 30_000, high: 200_000 } },
  /** One review of the merged result; its seconds include the merge and the checks standing in for CI. */
  review: { tokens: { low: 60_000, high: 400_000 }, seconds: { low: 120, high: 900 } },
  /** One review when the checks pass at once; one more for a revision round. */
  reviews: { low: 1, high: 2 },
  /** Shares of input, output, cache-read and cache-write tokens, by role. */
  mix: {
    planner: { inputTokens: 0.3, outputTokens: 0.15, cacheReadTokens: 0.4, cacheWriteTokens: 0.15 },
    coder: { inputTokens: 0.03, outputTokens: 0.04, cacheReadTokens: 0.85, cacheWriteTokens: 0.08 },
    reviewer: { inputTokens: 0.05, outputTokens: 0.03, cacheReadTokens: 0.82, cacheWriteTokens: 0.1 },
  } satisfies Record<EstimatedRole, Usage>,
} as const;

export type EstimateInput = {
  plan: Plan;
  config: Pick<RepoConfig, "models" | "prices" | "limits">;
  /** This repository's finished runs, any order; none means the priors. */
  calibration?: readonly RunActuals[];
  /** The run's ledger after planning: the planner's spending is then known, not estimated. */
  spent?: Ledger | null;
};

/**
 * What coding a plan will cost and how long it will take, as ranges: tokens by role (priced with the
 * config's prices for each role's model) and time from the end of planning to the last review (the nodes'
 * schedule under `maxParallelNodes`, then the reviews). With earlier runs, every figure is their mean, and
 * the range their spread (see `spreadOf`); a size no earlier node had is scaled from the others by
 * SIZE_WEIGHTS.
 */
export function estimatePlan(input: EstimateInput): PlanEstimate {
  const { plan, config } = input;
  const runs = input.calibration ?? [];
  const node = nodeFigures(runs);
  const perReview = {
    tokens: calibrated(
      runs.filter((r) => r.reviews > 0).map((r) => (r.roles.reviewer?.tokens ?? 0) / r.reviews),
      PRIORS.review.tokens,
    ),
    seconds: calibrated(
      runs.filter((r) => r.reviews > 0).map((r) => afterNodes(r) / r.reviews),
      PRIORS.review.seconds,
    ),
  };
  const most = 1 + config.limits.maxRevisionRounds;
  const counted = calibrated(
    runs.map((r) => r.reviews),
    PRIORS.reviews,
  );
  const reviews = {
    low: Math.min(most, Math.max(1, Math.floor(counted.low))),
    high: Math.min(most, Math.max(1, Math.ceil(counted.high))),
  };

  const planned = input.spent?.byNode[RUN_LEVEL];
  const tokens: Record<EstimatedRole, Range> = {
    planner: planned
      ? { low: planned.tokens, high: planned.tokens }
      : calibrated(
          runs.map((r) => r.roles.planner?.tokens ?? 0),
          PRIORS.planner.tokens,
        ),
    coder: sum(plan.nodes.map((n) => node[n.size].tokens)),
    reviewer: { low: reviews.low * perReview.tokens.low, high: reviews.high * perReview.tokens.high },
  };
  const usd = { low: 0, high: 0 };
  const byRole = {} as PlanEstimate["tokens"]["byRole"];
  for (const role of ["planner", "coder", "reviewer"] as const) {
    const model = config.models[role];
    const t = tokens[role];
    byRole[role] = { model, low: Math.round(t.low), high: Math.round(t.high) };
    if (role === "planner" && planned) {
      usd.low += planned.usd;
      usd.high += planned.usd;
      continue;
    }
    const rate = usdPerToken(mixOf(role, model, runs, input.spent), config.prices[model]);
    usd.low += t.low * rate;
    usd.high += t.high * rate;
  }

  const makespan = (bound: "low" | "high") =>
    scheduleLength(
      plan,
      Object.fromEntries(plan.nodes.map((n) => [n.id, node[n.size].seconds[bound]])),
      config.limits.maxParallelNodes,
    );
  const seconds = {
    low: makespan("low") + reviews.low * perReview.seconds.low,
    high: makespan("high") + reviews.high * perReview.seconds.high,
  };
  const total = (b: "low" | "high") => byRole.planner[b] + byRole.coder[b] + byRole.reviewer[b];
  return {
    usd,
    tokens: { low: total("low"), high: total("high"), byRole },
    seconds,
    basis: runs.length === 0 ? "priors" : `${runs.length} earlier run${runs.length === 1 ? "" : "s"}`,
    runs: runs.length,
    ...(planned ? { planned: { tokens: planned.tokens, usd: planned.usd } } : {}),
  };
}

/**
 * The range of a figure from its samples: their mean, give or take the larger of one standard deviation
 * and a share of the mean that narrows as samples come in (half of it for one sample, a quarter for four),
 * so one earlier run does not claim to know the next one exactly. Never below 0. No samples: the prior.
 */
export function spreadOf(samples: readonly number[], prior: Range): Range {
  if (samples.length === 0) return prior;
  const n = samples.length;
  const mean = samples.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
  const spread = Math.max(sd, (0.5 * mean) / Math.sqrt(n));
  return { low: Math.max(0, mean - spread), high: mean + spread };
}
const calibrated = spreadOf;

/** Per size, a node's tokens and seconds: from earlier nodes of that size, else scaled from the others. */
function nodeFigures(runs: readonly RunActuals[]): Record<NodeSize, { tokens: Range; seconds: Range }> {
  const nodes = runs.flatMap((r) => r.nodes);
  const out = {} as Record<NodeSize, { tokens: Range; seconds: Range }>;
  for (const size of NODE_SIZES) {
    const same = nodes.filter((n) => n.size === size);
    // A size not seen yet: every earlier node, in units of its size's weight, times this size's weight.
    const scaled = (what: "tokens" | "seconds") =>
      same.length > 0
        ? same.map((n) => n[what])
        : nodes.map((n) => (n[what] / SIZE_WEIGHTS[n.size]) * SIZE_WEIGHTS[size]);
    out[size] = {
      tokens: spreadOf(scaled("tokens"), PRIORS.node[size].tokens),
      seconds: spreadOf(scaled("seconds"), PRIORS.node[size].seconds),
    };
  }
  return out;
}

/** An earlier run's time after its nodes were first coded: merging, checks, reviews and revisions. */
function afterNodes(run: RunActuals): number {
  const coding = Math.max(0, ...run.nodes.map((n) => n.seconds));
  return Math.max(0, run.seconds - run.planSeconds - coding);
}

/** The mix of token kinds a role's model showed in earlier runs (or in this one's planning), else the prior. */
function mixOf(
  role: EstimatedRole,
  model: string,
  runs: readonly RunActuals[],
  spent: Ledger | null | undefined,
): Usage {
  let seen = NO_USAGE;
  for (const run of runs) {
    const used = run.roles[role]?.model === model ? run.byModel[model] : undefined;
    if (used) seen = addUsageOf(seen, used);
  }
  if (totalTokens(seen) === 0 && spent?.byModel[model]) seen = spent.byModel[model];
  return totalTokens(seen) > 0 ? seen : PRIORS.mix[role];
}

function addUsageOf(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** USD of one token of the mix `usage` on a model of `price` (0 for a model without a price). */
export function usdPerToken(usage: Usage, price: ModelPrice | undefined): number {
  const total = totalTokens(usage);
  if (!price || total === 0) return 0;
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheReadTokens * price.cacheRead +
      usage.cacheWriteTokens * price.cacheWrite) /
    total /
    1_000_000
  );
}

function sum(ranges: readonly Range[]): Range {
  return ranges.reduce((s, r) => ({ low: s.low + r.low, high: s.high + r.high }), { low: 0, high: 0 });
}

/**
 * How long the nodes take with at most `parallel` coded at once: a list schedule, as the scheduler runs
 * them. Whenever a slot is free, the ready node with the longest chain after it starts (critical path first).
 */
export function scheduleLength(
  plan: Plan,
  seconds: Readonly<Record<string, number>>,
  parallel: number,
): number {
  const { ids, dependencies } = indexPlan(plan);
  const { tail } = criticalPath(plan, seconds);
  const finish = new Map<string, number>();
  const running: { id: string; end: number }[] = [];
  let now = 0;
  while (finish.size < ids.length) {
    const ready = ids
      .filter(
        (id) =>
          !finish.has(id) &&
          !running.some((r) => r.id === id) &&
          (dependencies.get(id) ?? []).every((d) => (finish.get(d) ?? Number.POSITIVE_INFINITY) <= now),
      )
      .sort((a, b) => (tail[b] ?? 0) - (tail[a] ?? 0));
    for (const id of ready.slice(0, Math.max(0, Math.max(1, parallel) - running.length)))
      running.push({ id, end: now + (seconds[id] ?? 0) });
    if (running.length === 0) break; // a cycle: validated plans have none
    running.sort((a, b) => a.end - b.end);
    const next = running.shift() as { id: string; end: number };
    now = next.end;
    finish.set(next.id, now);
    // Nodes ending at the same moment free their slots together.
    while (running[0] && running[0].end <= now) finish.set((running.shift() as { id: string }).id, now);
  }
  return Math.max(0, ...finish.values());
}
