import { durationOf, durationRange, tokenCount, tokenRange, usdRange } from "./describe-estimate.js";
import { ESTIMATED_ROLES, type EstimatedRole, type PlanEstimate } from "./run-actuals.js";

export type ActualSpend = {
  usd: number;
  tokens: number;
  byRole?: Partial<Record<EstimatedRole, number>>;
  /** From the end of planning on, as the estimate counts; absent while the run is still going. */
  seconds?: number;
};

/** Rows of "what · estimate · actual", for a table that puts the two side by side. */
export function compareEstimate(e: PlanEstimate, actual: ActualSpend): [string, string, string][] {
  const rows: [string, string, string][] = [
    ["cost", usdRange(e.usd), `$${actual.usd.toFixed(2)}`],
    ["tokens", tokenRange(e.tokens), tokenCount(actual.tokens)],
  ];
  for (const role of ESTIMATED_ROLES) {
    const r = e.tokens.byRole[role];
    const got = actual.byRole?.[role];
    if (r) rows.push([`${role} (${r.model})`, tokenRange(r), got === undefined ? "—" : tokenCount(got)]);
  }
  rows.push([
    "time after planning",
    durationRange(e.seconds),
    actual.seconds === undefined ? "—" : durationOf(actual.seconds),
  ]);
  return rows;
}
