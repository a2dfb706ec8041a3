import type { Plan } from "../plan/plan.js";
import { indexPlan } from "./index-plan.js";

/**
 * Dependency cycles, each as the path of ids that closes on itself (`[a, b, a]` reads "a depends on b,
 * which depends on a"). One cycle per back edge of a depth-first search, in plan order; empty if acyclic.
 */
export function findCycles(plan: Plan): string[][] {
  const { ids, dependencies } = indexPlan(plan);
  const state = new Map<string, "open" | "closed">();
  const stack: string[] = [];
  const cycles: string[][] = [];

  const visit = (id: string): void => {
    state.set(id, "open");
    stack.push(id);
    for (const dep of dependencies.get(id) ?? []) {
      const seen = state.get(dep);
      if (seen === "open") cycles.push([...stack.slice(stack.indexOf(dep)), dep]);
      else if (seen === undefined) visit(dep);
    }
    stack.pop();
    state.set(id, "closed");
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  return cycles;
}
