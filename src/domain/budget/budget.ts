import type { RepoConfig } from "../config/repo-config.js";
import { BudgetExceededError } from "../errors.js";
import { costOf } from "./cost-of.js";
import { addUsage, NO_USAGE, totalTokens, type Usage } from "./usage.js";

export type Spend = { tokens: number; usd: number };

/** What a run has used so far: by model (tokens of each kind), by node, and in total. */
export type Ledger = Spend & {
  byModel: Readonly<Record<string, Usage>>;
  byNode: Readonly<Record<string, Spend>>;
};

export const EMPTY_LEDGER: Ledger = { byModel: {}, byNode: {}, tokens: 0, usd: 0 };

/** Calls made outside any node (planning, review) are booked under this key. */
export const RUN_LEVEL = "(run)";

type Prices = RepoConfig["prices"];
type RunLimits = Pick<RepoConfig["limits"], "maxTokensPerRun" | "maxUsdPerRun">;

/** The ledger after one more call's usage on `model`, made for `nodeId` (or for the run as a whole). */
export function recordUsage(
  ledger: Ledger,
  model: string,
  usage: Usage,
  prices: Prices,
  nodeId = RUN_LEVEL,
): Ledger {
  const tokens = totalTokens(usage);
  const usd = costOf(model, usage, prices);
  const node = ledger.byNode[nodeId] ?? { tokens: 0, usd: 0 };
  return {
    byModel: { ...ledger.byModel, [model]: addUsage(ledger.byModel[model] ?? NO_USAGE, usage) },
    byNode: { ...ledger.byNode, [nodeId]: { tokens: node.tokens + tokens, usd: node.usd + usd } },
    tokens: ledger.tokens + tokens,
    usd: ledger.usd + usd,
  };
}

export type BudgetCheck =
  | { ok: true; tokens: number; usd: number }
  | { ok: false; limit: "tokens" | "usd"; projected: number; max: number; error: BudgetExceededError };

/** Whether a next call expected to use `next` on `model` would take the run past one of its limits. */
export function checkBudget(
  ledger: Ledger,
  model: string,
  next: Usage,
  prices: Prices,
  limits: RunLimits,
): BudgetCheck {
  const tokens = ledger.tokens + totalTokens(next);
  const usd = ledger.usd + costOf(model, next, prices);
  if (tokens > limits.maxTokensPerRun) {
    return exceeded(
      "tokens",
      tokens,
      limits.maxTokensPerRun,
      ledger.tokens.toLocaleString("en-US"),
      "maxTokensPerRun",
    );
  }
  if (usd > limits.maxUsdPerRun) {
    return exceeded("usd", usd, limits.maxUsdPerRun, `$${ledger.usd.toFixed(2)}`, "maxUsdPerRun");
  }
  return { ok: true, tokens, usd };
}

function exceeded(
  limit: "tokens" | "usd",
  projected: number,
  max: number,
  spent: string,
  key: string,
): BudgetCheck {
  const shown = limit === "usd" ? `$${max.toFixed(2)}` : `${max.toLocaleString("en-US")} tokens`;
  return {
    ok: false,
    limit,
    projected,
    max,
    error: new BudgetExceededError({
      problem: `The run has used ${spent} and its next model call would pass limits.${key} (${shown}).`,
      fix: `Raise limits.${key} in .github/swarm.yml, or narrow the spec, then comment \`/swarm retry\`.`,
    }),
  };
}

/** Whether the run has spent all it may: no further round of agents should start. */
export function spentBudget(ledger: Ledger | null, limits: RunLimits): boolean {
  return !!ledger && (ledger.usd >= limits.maxUsdPerRun || ledger.tokens >= limits.maxTokensPerRun);
}
