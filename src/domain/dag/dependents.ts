import type { Plan } from "../plan/plan.js";
import { indexPlan, reachable } from "./index-plan.js";
import { topologicalOrder } from "./topological-order.js";

/** Every node that depends on `nodeId`, directly or through others, in topological order. */
export function dependents(plan: Plan, nodeId: string): string[] {
  const graph = indexPlan(plan);
  if (!graph.nodes.has(nodeId)) throw new RangeError(`no node "${nodeId}" in the plan`);
  const found = reachable(nodeId, graph.dependents);
  return topologicalOrder(plan).filter((id) => found.has(id));
}
