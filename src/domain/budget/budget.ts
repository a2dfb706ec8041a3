import type { RepoConfig } from "../config/repo-config.js";
import { BudgetExceededError } from "../errors.js";
import { costOf } from "./cost-of.js";
import { addUsage, NO_USAGE, totalTokens, type Usage } from "./usage.js";

/** What a run has used so far, by model, with its running totals. */
export type Ledger = { byModel: Readonly<Record<string, Usage>>; tokens: number; usd: number };

export const EMPTY_LEDGER: Ledger = { byModel: {}, tokens: 0, usd: 0 };

type Prices = RepoConfig["prices"];
type RunLimits = Pick<RepoConfig["limits"], "maxTokensPerRun" | "maxUsdPerRun">;

/** The ledger after one more call's usage on `model`. */
export function recordUsage(ledger: Ledger, model: string, usage: Usage, prices: Prices): Ledger {
  return {
    byModel: { ...ledger.byModel, [model]: addUsage(ledger.byModel[model] ?? NO_USAGE, usage) },
    tokens: ledger.tokens + totalTokens(usage),
    usd: ledger.usd + costOf(model, usage, prices),
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
