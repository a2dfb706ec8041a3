import type { Plan, PlanNode } from "../plan/plan.js";
import type { NodeStatus } from "../state/node-status.js";

/**
 * Nodes that can start now: still pending, with every dependency done. A node never waits for a whole
 * "layer", only for its own dependencies. Nodes missing from `states` count as pending.
 */
export function readyNodes(plan: Plan, states: Readonly<Record<string, NodeStatus>>): PlanNode[] {
  const status = (id: string): NodeStatus => states[id] ?? "pending";
  return plan.nodes.filter(
    (node) => status(node.id) === "pending" && node.dependsOn.every((d) => status(d) === "done"),
  );
}
