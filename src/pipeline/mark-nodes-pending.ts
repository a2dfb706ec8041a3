import { findNodeBranch } from "../domain/branch/branch-names.js";
import type { Forge, LoadedRun } from "./forge.js";

/**
 * Records on each node's sub-issue that it is about to be coded again, before the scheduler starts it (a
 * node that finishes fast must not have its "done" overwritten by this). With feedback (a revision), the
 * sub-issue keeps it, and the node's last result, so a run rebuilt from GitHub still revises it.
 */
export async function markNodesPending(
  forge: Forge,
  spec: number,
  run: Pick<LoadedRun, "plan" | "nodeIssues" | "nodeBranches" | "branches" | "summaries" | "handoffs">,
  targets: Readonly<Record<string, string | null>>,
): Promise<void> {
  for (const [id, feedback] of Object.entries(targets)) {
    const node = run.plan.nodes.find((n) => n.id === id);
    const ref = run.nodeIssues[id];
    if (!node || !ref) continue;
    const branch = run.nodeBranches[id] ?? findNodeBranch(Object.keys(run.branches), id);
    const summary = run.summaries[id];
    const handoff = run.handoffs[id];
    await forge.setNodeStatus(
      ref,
      spec,
      node,
      "pending",
      branch,
      feedback
        ? { revision: feedback, ...(summary ? { summary } : {}), ...(handoff ? { handoff } : {}) }
        : undefined,
    );
  }
}
