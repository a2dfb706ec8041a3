import { type Plan, SIZE_WEIGHTS } from "../plan/plan.js";
import { indexPlan } from "./index-plan.js";
import { topologicalOrder } from "./topological-order.js";

export type CriticalPath = {
  /** Total weight of the heaviest chain of dependencies. */
  length: number;
  /** Its node ids, first dependency first. */
  path: string[];
  /** For each node, the weight of the heaviest chain that starts at it: its scheduling priority. */
  tail: Record<string, number>;
};

/** The heaviest dependency chain. Weights default to the nodes' estimated sizes. */
export function criticalPath(plan: Plan, weights?: Readonly<Record<string, number>>): CriticalPath {
  const { nodes, dependents } = indexPlan(plan);
  const weightOf = (id: string) => {
    const w = weights?.[id] ?? SIZE_WEIGHTS[nodes.get(id)?.size ?? "M"];
    if (!(w >= 0)) throw new RangeError(`weight of node "${id}" must be a number >= 0, got ${w}`);
    return w;
  };
  const tail: Record<string, number> = {};
  const next = new Map<string, string | undefined>();
  for (const id of topologicalOrder(plan).reverse()) {
    let best: string | undefined;
    for (const d of dependents.get(id) ?? [])
      if (best === undefined || (tail[d] ?? 0) > (tail[best] ?? 0)) best = d;
    tail[id] = weightOf(id) + (best === undefined ? 0 : (tail[best] ?? 0));
    next.set(id, best);
  }
  let start: string | undefined;
  for (const node of plan.nodes)
    if (start === undefined || (tail[node.id] ?? 0) > (tail[start] ?? 0)) start = node.id;
  const path: string[] = [];
  for (let id = start; id !== undefined; id = next.get(id)) path.push(id);
  return { length: start === undefined ? 0 : (tail[start] ?? 0), path, tail };
}
