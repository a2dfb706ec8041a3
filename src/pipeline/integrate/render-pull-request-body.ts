import type { Ledger } from "../../domain/budget/budget.js";
import { compareEstimate } from "../../domain/estimate/compare-estimate.js";
import type { EstimatedRole, PlanEstimate } from "../../domain/estimate/run-actuals.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import { cell, mermaid, totals } from "../dashboard/render-dashboard.js";
import type { IssueRef } from "../forge.js";

export type PullRequestBodyView = {
  spec: number;
  plan: Plan;
  states: Readonly<Record<string, NodeStatus>>;
  nodeIssues: Readonly<Record<string, IssueRef>>;
  summaries: Readonly<Record<string, string>>;
  ledger: Ledger | null;
  /** Merges that conflicted and were resolved by the integrator agent. */
  conflicts: readonly { nodeId: string; files: readonly string[] }[];
  /** The plan's estimate, and the tokens each role has used so far, to show side by side. */
  estimate?: PlanEstimate | null;
  byRole?: Partial<Record<EstimatedRole, number>>;
};

/** The PR's description: what closes, the plan as a graph, what each node did, and what it cost. */
export function renderPullRequestBody(view: PullRequestBodyView): string {
  const lines = [
    `Closes #${view.spec}`,
    "",
    `swarm built this from #${view.spec} in ${view.plan.nodes.length} nodes, each on its own branch, merged here in dependency order.`,
    "",
    "```mermaid",
    ...mermaid(view.plan, view.states),
    "```",
    "",
    "| Node | What it did | Sub-issue | Tokens | Cost |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const node of view.plan.nodes) {
    const spend = view.ledger?.byNode[node.id];
    const issue = view.nodeIssues[node.id];
    lines.push(
      `| \`${node.id}\` ${cell(node.title)} | ${cell(view.summaries[node.id] ?? node.goal)} | ${issue ? `#${issue.number}` : "—"} | ${spend ? spend.tokens.toLocaleString("en-US") : "—"} | ${spend ? `$${spend.usd.toFixed(2)}` : "—"} |`,
    );
  }
  lines.push("", `**Total:** ${totals(view.ledger)}`);
  if (view.estimate) {
    const rows = compareEstimate(view.estimate, {
      usd: view.ledger?.usd ?? 0,
      tokens: view.ledger?.tokens ?? 0,
      ...(view.byRole ? { byRole: view.byRole } : {}),
    });
    lines.push(
      "",
      `**Estimate beside actual** (estimated when planned, based on ${view.estimate.basis}; actual as of this merge):`,
      "",
      "| | Estimate | Actual |",
      "| --- | --- | --- |",
      ...rows.map(([what, e, a]) => `| ${cell(what)} | ${e} | ${a} |`),
    );
  }
  if (view.conflicts.length > 0) {
    lines.push("", "**Merge conflicts resolved by the integrator agent** (please check these files):");
    for (const c of view.conflicts)
      lines.push(`- node \`${c.nodeId}\`: ${c.files.map((f) => `\`${f}\``).join(", ")}`);
  }
  lines.push(
    "",
    "<sub>Comment `/swarm help` for commands. swarm updates this description as the run goes.</sub>",
  );
  return lines.join("\n");
}
