import type { Ledger } from "../../domain/budget/budget.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, IssueRef } from "../forge.js";
import { TERMINAL } from "../scheduler.js";

/**
 * When a run's nodes have all finished and some did not finish well, the forge is made to say what the
 * scheduler knows. A node whose every attempt threw (no sandbox, a request the API refuses) never recorded
 * its own failure, and its dependents never learned they are blocked: left alone, its sub-issue would say
 * "running" and the dashboard "coding" forever. The dashboard then derives the run's status (failed).
 */
export async function recordSettled(
  forge: Forge,
  run: {
    spec: number;
    plan: Plan;
    nodeIssues: Readonly<Record<string, IssueRef>>;
    branches: Readonly<Record<string, string>>;
  },
  /** The scheduler's states now: if a retry has started since the run settled, this does nothing. */
  currentStates: () => Promise<Readonly<Record<string, NodeStatus>>>,
  ledger: Ledger | null,
): Promise<void> {
  const finished = (states: Readonly<Record<string, NodeStatus>>) =>
    run.plan.nodes.every((n) => TERMINAL.includes(states[n.id] ?? "pending"));
  let states = await currentStates();
  if (!finished(states) || run.plan.nodes.every((n) => states[n.id] === "done")) return;
  const recorded = (await forge.loadRun(run.spec, { nodesOnly: true }))?.states ?? {};
  states = await currentStates();
  if (!finished(states)) return;
  for (const node of run.plan.nodes) {
    const status = states[node.id];
    const ref = run.nodeIssues[node.id];
    if (!status || !ref || status === "done" || recorded[node.id] === status) continue;
    await forge.setNodeStatus(ref, run.spec, node, status, run.branches[node.id] ?? "");
  }
  await refreshDashboard(forge, run.spec, { ledger });
}
