import type { Plan, PlanNode } from "../plan/plan.js";

/** A plan as adjacency lists, in plan order. Dependencies on unknown ids are left out. */
export type PlanGraph = {
  ids: string[];
  nodes: Map<string, PlanNode>;
  dependencies: Map<string, string[]>;
  dependents: Map<string, string[]>;
};

export function indexPlan(plan: Plan): PlanGraph {
  const nodes = new Map(plan.nodes.map((n) => [n.id, n]));
  const ids = [...nodes.keys()];
  const dependencies = new Map<string, string[]>(ids.map((id) => [id, []]));
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const node of nodes.values()) {
    for (const dep of new Set(node.dependsOn)) {
      if (!nodes.has(dep)) continue;
      dependencies.get(node.id)?.push(dep);
      dependents.get(dep)?.push(node.id);
    }
  }
  return { ids, nodes, dependencies, dependents };
}

/** Every node reachable from `start` along `edges` (not counting `start` unless a cycle leads back). */
export function reachable(start: string, edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(start) ?? [])];
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(edges.get(id) ?? []));
  }
  return seen;
}
