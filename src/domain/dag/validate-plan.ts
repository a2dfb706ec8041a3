import type { RepoConfig } from "../config/repo-config.js";
import { globsOverlap, isGlob } from "../plan/globs-overlap.js";
import type { Plan } from "../plan/plan.js";
import { findCycles } from "./find-cycles.js";
import { indexPlan, reachable } from "./index-plan.js";
import { testsApartFromCode } from "./tests-apart-from-code.js";

export type PlanProblemCode =
  | "duplicate-id"
  | "unknown-dependency"
  | "cycle"
  | "too-many-nodes"
  | "protected-path"
  | "ownership-conflict"
  | "tests-apart-from-code"
  | "unknown-interface-node";

/** One broken rule, with the nodes involved. Messages are read by people and by the planner's repair turn. */
export type PlanProblem = { code: PlanProblemCode; message: string; nodes: string[] };

export type PlanValidation = { ok: true } | { ok: false; problems: PlanProblem[] };

type Limits = Pick<RepoConfig, "protectedPaths"> & { limits: Pick<RepoConfig["limits"], "maxNodes"> };

/**
 * Checks the DAG rules that a schema cannot: ids, dependencies, cycles, limits, file ownership, tests kept
 * with (or after) the code they test, and interfaces between nodes of the plan.
 */
export function validatePlan(plan: Plan, config: Limits): PlanValidation {
  const problems: PlanProblem[] = [];
  const add = (code: PlanProblemCode, nodes: string[], message: string) =>
    problems.push({ code, nodes, message });

  const counts = new Map<string, number>();
  for (const node of plan.nodes) counts.set(node.id, (counts.get(node.id) ?? 0) + 1);
  for (const [id, n] of counts) {
    if (n > 1) add("duplicate-id", [id], `Node id "${id}" is used by ${n} nodes; give each node its own id.`);
  }

  for (const node of plan.nodes) {
    for (const dep of node.dependsOn) {
      if (counts.has(dep)) continue;
      add(
        "unknown-dependency",
        [node.id, dep],
        `Node "${node.id}" depends on "${dep}", which is not in the plan; remove the dependency or add a node "${dep}".`,
      );
    }
  }

  for (const cycle of findCycles(plan)) {
    const shown =
      cycle.length === 2 ? `"${cycle[0]}" depends on itself` : `the cycle is ${cycle.join(" → ")}`;
    add(
      "cycle",
      [...new Set(cycle)],
      `Dependencies form a cycle: ${shown} (→ reads "depends on"); remove one of these dependencies.`,
    );
  }

  const { maxNodes } = config.limits;
  if (plan.nodes.length > maxNodes) {
    add(
      "too-many-nodes",
      [],
      `The plan has ${plan.nodes.length} nodes but limits.maxNodes is ${maxNodes}; merge small nodes, or raise the limit in .github/swarm.yml.`,
    );
  }

  for (const node of plan.nodes) {
    for (const owned of node.owns) {
      for (const guarded of config.protectedPaths) {
        const file = globsOverlap(owned, guarded);
        if (file === null) continue;
        add(
          "protected-path",
          [node.id],
          `Node "${node.id}" owns ${describe(owned, file)}, which protectedPaths ("${guarded}") forbids agents to change; remove it from the node.`,
        );
      }
    }
  }

  problems.push(...ownershipConflicts(plan));

  for (const apart of testsApartFromCode(plan)) {
    add(
      "tests-apart-from-code",
      [apart.tests, apart.code],
      `Node "${apart.tests}" owns only tests ("${apart.testPattern}") of code that node "${apart.code}" owns ("${apart.codePattern}"), but neither depends on the other, so the tests would run before that code is there and neither node could pass the checks by itself; make "${apart.tests}" depend on "${apart.code}", or merge the tests into "${apart.code}" (a behaviour and its tests belong in one node).`,
    );
  }

  for (const shared of plan.interfaces ?? []) {
    const named = [["provider", shared.provider], ...shared.users.map((u) => ["user", u] as const)] as const;
    for (const [as, id] of named) {
      if (counts.has(id)) continue;
      add(
        "unknown-interface-node",
        [id],
        `Interface "${shared.name}" names "${id}" as its ${as}, which is not a node of the plan; name a node of the plan, or remove it from the interface.`,
      );
    }
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** Two nodes with no path between them may run at the same time, so they must not own a common file. */
function ownershipConflicts(plan: Plan): PlanProblem[] {
  const graph = indexPlan(plan);
  const ancestors = new Map(graph.ids.map((id) => [id, reachable(id, graph.dependencies)]));
  const ordered = (a: string, b: string) => ancestors.get(a)?.has(b) || ancestors.get(b)?.has(a);
  const problems: PlanProblem[] = [];
  const nodes = plan.nodes;
  for (const [i, a] of nodes.entries()) {
    for (const b of nodes.slice(i + 1)) {
      if (a.id === b.id || ordered(a.id, b.id)) continue;
      for (const pa of a.owns) {
        for (const pb of b.owns) {
          const file = globsOverlap(pa, pb);
          if (file === null) continue;
          const via = pa === pb ? "" : ` ("${pa}" in "${a.id}", "${pb}" in "${b.id}")`;
          problems.push({
            code: "ownership-conflict",
            nodes: [a.id, b.id],
            message: `Nodes "${a.id}" and "${b.id}" both own "${file}"${via} but neither depends on the other, so they could edit it at the same time; give the file to one node, or make one node depend on the other.`,
          });
        }
      }
    }
  }
  return problems;
}

function describe(pattern: string, file: string): string {
  return isGlob(pattern) && pattern !== file ? `"${pattern}" (which includes "${file}")` : `"${file}"`;
}
