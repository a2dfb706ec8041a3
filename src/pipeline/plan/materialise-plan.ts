import { nodeBranch } from "../../domain/branch/branch-names.js";
import { readyNodes } from "../../domain/dag/ready-nodes.js";
import { topologicalOrder } from "../../domain/dag/topological-order.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { Forge, IssueRef } from "../forge.js";

export type Materialised = {
  nodeIssues: Record<string, IssueRef>;
  states: Record<string, NodeStatus>;
  branches: Record<string, string>;
};

/**
 * One sub-issue per node (in dependency order) and a `blocked_by` link per edge. Every step is an ensure,
 * so a crash part-way through resumes where it stopped, without duplicates.
 */
export async function materialisePlan(
  forge: Forge,
  spec: { number: number; title: string },
  plan: Plan,
): Promise<Materialised> {
  const ready = new Set(readyNodes(plan, {}).map((n) => n.id));
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const nodeIssues: Record<string, IssueRef> = {};
  const states: Record<string, NodeStatus> = {};
  const branches: Record<string, string> = {};
  for (const id of topologicalOrder(plan)) {
    const node = byId.get(id);
    if (!node) continue;
    states[id] = ready.has(id) ? "ready" : "pending";
    branches[id] = nodeBranch(spec.number, spec.title, id);
    nodeIssues[id] = await forge.ensureNodeIssue(spec.number, node, states[id], branches[id]);
  }
  for (const node of plan.nodes) {
    for (const dep of node.dependsOn) {
      const blocked = nodeIssues[node.id];
      const blocking = nodeIssues[dep];
      if (blocked && blocking) await forge.linkDependency(blocked, blocking);
    }
  }
  return { nodeIssues, states, branches };
}
