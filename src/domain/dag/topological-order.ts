import { PlanError } from "../errors.js";
import type { Plan } from "../plan/plan.js";
import { findCycles } from "./find-cycles.js";
import { indexPlan } from "./index-plan.js";

/** Node ids with every dependency before its dependents; ties keep plan order. Throws on a cycle. */
export function topologicalOrder(plan: Plan): string[] {
  const { ids, dependencies, dependents } = indexPlan(plan);
  const remaining = new Map(ids.map((id) => [id, dependencies.get(id)?.length ?? 0]));
  const position = new Map(ids.map((id, i) => [id, i]));
  const ready = ids.filter((id) => remaining.get(id) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const id = ready.shift() as string;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (remaining.get(next) ?? 0) - 1;
      remaining.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (order.length < ids.length) {
    const cycle = findCycles(plan)[0] ?? [];
    throw new PlanError({
      problem: `The plan has a dependency cycle: ${cycle.join(" → ")}.`,
      fix: "Remove one of the dependencies in the cycle.",
    });
  }
  return order;
}
