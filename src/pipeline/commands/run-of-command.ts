import { specOfIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { Forge, LoadedRun } from "../forge.js";

/** The run a command is about: the spec issue it was asked on, or the spec of the swarm PR it was asked on. */
export async function runOfCommand(
  forge: Forge,
  issue: { number: number; isPullRequest: boolean },
  options: { rebuild?: boolean } = {},
): Promise<{ spec: number; run: LoadedRun } | null> {
  let spec = issue.number;
  if (issue.isPullRequest) {
    const found = specOfIntegrationBranch((await forge.readPullRequest(issue.number)).headRef);
    if (found === null) return null;
    spec = found;
  }
  const run = await forge.loadRun(spec, options);
  return run?.meta.runId && !run.meta.dryRun ? { spec, run } : null;
}
