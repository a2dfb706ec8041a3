import type { RepoConfig } from "../../domain/config/repo-config.js";

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
