import type { RunActuals } from "./run-actuals.js";

export type CacheTtl = "5m" | "1h";

/**
 * Checks that take longer than this leave a five-minute cache entry at risk: the agent's next turn comes
 * after the checks and the model's own time, and a read is what refreshes the entry.
 */
export const LONG_CHECKS_SECONDS = 240;

/**
 * The cache lifetime for a run's coders: as set, or with `auto` an hour when the repository's checks took
 * longer than four minutes in most of its earlier runs (the median), else five minutes (writes cost 1.25×
 * the input price, not 2×). No earlier run timed its checks: five minutes.
 */
export function chooseCacheTtl(setting: CacheTtl | "auto", runs: readonly RunActuals[]): CacheTtl {
  if (setting !== "auto") return setting;
  const seconds = runs
    .flatMap((r) => (r.checkSeconds === undefined ? [] : [r.checkSeconds]))
    .sort((a, b) => a - b);
  // The lower median: more than half of the timed runs must have been slow (one of two is not enough).
  const median = seconds[Math.floor((seconds.length - 1) / 2)];
  return median !== undefined && median > LONG_CHECKS_SECONDS ? "1h" : "5m";
}
