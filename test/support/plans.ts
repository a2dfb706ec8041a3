import type { Plan, PlanNode } from "../../src/domain/plan/plan.js";

/** A plan node with sensible defaults, so tests state only what they are about. */
export function node(
  id: string,
  dependsOn: string[] = [],
  owns: string[] = [`src/${id}.ts`],
  extra: Partial<PlanNode> = {},
): PlanNode {
  return {
    id,
    title: `Node ${id}`,
    role: "implement",
    goal: `Build ${id}.`,
    owns,
    dependsOn,
    acceptance: [`${id} works`],
    size: "M",
    ...extra,
  };
}

export function plan(...nodes: PlanNode[]): Plan {
  return { summary: "", nodes };
}

/** The value, or a clear failure naming what was missing (instead of a non-null assertion). */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`test setup: missing ${what}`);
  return value;
}
