import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { Plan } from "../../domain/plan/plan.js";

/**
 * The smallest part of a plan's estimate that approval needs: what the run may cost, as a range in USD.
 * The real estimate (tokens by role and model, priced, calibrated from finished runs) is another stage's;
 * it is injected wherever `EstimatePlan` is asked for.
 */
export type PlanEstimate = { usd: { low: number; high: number }; note?: string };
export type EstimatePlan = (plan: Plan, config: RepoConfig) => PlanEstimate | Promise<PlanEstimate>;

/**
 * A stand-in until the real estimate is wired: not a prediction but the bound the configured limits put on
 * spending (every node at its USD cap, the run at its cap), so a threshold compared with it errs towards
 * asking.
 */
export const capsEstimate: EstimatePlan = (plan, config) => ({
  usd: {
    low: 0,
    high: Math.min(plan.nodes.length * config.limits.maxUsdPerNode, config.limits.maxUsdPerRun),
  },
  note: "upper bound from the configured limits, not a prediction",
});

/**
 * Whether a laid-out plan waits for a person before its nodes are coded: always for `required`, never for
 * `auto`, and for a threshold when the estimate's high end is above it (or there is no estimate).
 */
export function needsApproval(
  approval: RepoConfig["limits"]["approval"],
  estimateUsdHigh: number | null,
): boolean {
  if (approval === "auto") return false;
  if (approval === "required") return true;
  return estimateUsdHigh === null || estimateUsdHigh > approval;
}
