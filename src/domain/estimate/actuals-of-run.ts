import { type Ledger, RUN_LEVEL } from "../budget/budget.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { Plan } from "../plan/plan.js";
import type { PlanEstimate, RunActuals } from "./run-actuals.js";

export type RunFacts = {
  runId: string;
  status: string;
  finishedAt: string;
  plan: Plan;
  ledger: Ledger;
  models: RepoConfig["models"];
  /** The estimate made after planning; its `planned` splits the run-level spending into planner and reviewer. */
  estimate: PlanEstimate | null;
  seconds: number;
  planSeconds: number;
  /** Each node's first coding, in seconds (absent: it never ran). */
  nodeSeconds: Readonly<Record<string, number>>;
  reviews: number;
  /** The longest run of the checks at a node's start, in seconds, when one was timed. */
  checkSeconds?: number;
};

/**
 * What a finished run took, in the form the next estimate learns from. Nodes' spending is the coder's (and
 * the integrator's, booked with the node it merged); the run-level spending is the planner's (as known
 * after planning) and the rest is the reviewer's.
 */
export function actualsOfRun(facts: RunFacts): RunActuals {
  const { ledger, models } = facts;
  const nodes = facts.plan.nodes
    .filter((n) => facts.nodeSeconds[n.id] !== undefined)
    .map((n) => ({
      id: n.id,
      size: n.size,
      tokens: ledger.byNode[n.id]?.tokens ?? 0,
      usd: ledger.byNode[n.id]?.usd ?? 0,
      seconds: facts.nodeSeconds[n.id] ?? 0,
    }));
  return {
    v: 1,
    runId: facts.runId,
    status: facts.status,
    finishedAt: facts.finishedAt,
    seconds: facts.seconds,
    planSeconds: facts.planSeconds,
    reviews: facts.reviews,
    nodes,
    roles: spendByRole(ledger, facts.plan, models, facts.estimate),
    byModel: { ...ledger.byModel },
    usd: ledger.usd,
    tokens: ledger.tokens,
    ...(facts.estimate ? { estimate: facts.estimate } : {}),
    ...(facts.checkSeconds !== undefined ? { checkSeconds: facts.checkSeconds } : {}),
  };
}

/** A run's spending by role: nodes' is the coder's, the run-level's the planner's (as known) and the reviewer's. */
export function spendByRole(
  ledger: Ledger,
  plan: Plan,
  models: RepoConfig["models"],
  estimate: PlanEstimate | null,
): RunActuals["roles"] {
  const runLevel = ledger.byNode[RUN_LEVEL] ?? { tokens: 0, usd: 0 };
  const planned = estimate?.planned ?? { tokens: 0, usd: 0 };
  const coded = plan.nodes.map((n) => ledger.byNode[n.id] ?? { tokens: 0, usd: 0 });
  return {
    planner: { model: models.planner, ...planned },
    coder: {
      model: models.coder,
      tokens: coded.reduce((s, x) => s + x.tokens, 0),
      usd: coded.reduce((s, x) => s + x.usd, 0),
    },
    reviewer: {
      model: models.reviewer,
      tokens: Math.max(0, runLevel.tokens - planned.tokens),
      usd: Math.max(0, runLevel.usd - planned.usd),
    },
  };
}
