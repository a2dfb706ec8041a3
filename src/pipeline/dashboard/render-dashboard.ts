import type { Ledger } from "../../domain/budget/budget.js";
import { APPROVAL_BOX } from "../../domain/commands/approval-checkbox.js";
import { describeEstimate, describeRoles } from "../../domain/estimate/describe-estimate.js";
import type { PlanEstimate } from "../../domain/estimate/run-actuals.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { RunStatus } from "../../domain/state/run-status.js";
import type { IssueRef } from "../forge.js";

export type DashboardView = {
  spec: number;
  status: RunStatus;
  dryRun: boolean;
  /** One line on where the run stands ("Planning…", "Planned: 5 nodes", an error's summary). */
  headline: string;
  plan: Plan | null;
  states: Readonly<Record<string, NodeStatus>>;
  nodeIssues: Readonly<Record<string, IssueRef>>;
  branches: Readonly<Record<string, string>>;
  ledger: Ledger | null;
  /** The plan's estimate, made when it was planned; null before, or for a run planned without one. */
  estimate?: PlanEstimate | null;
  pullRequestUrl?: string;
  /** When the run entered its status (ISO time). */
  since?: string;
};

const STATUS_STYLE: Record<NodeStatus, string> = {
  pending: "fill:#f6f8fa,stroke:#8c959f,color:#24292f",
  ready: "fill:#ddf4ff,stroke:#0969da,color:#0a3069",
  running: "fill:#fff8c5,stroke:#bf8700,color:#633c01",
  done: "fill:#dafbe1,stroke:#1a7f37,color:#044f1e",
  failed: "fill:#ffebe9,stroke:#cf222e,color:#82071e",
  blocked: "fill:#ffebe9,stroke:#8c959f,color:#6e7781,stroke-dasharray:4",
  cancelled: "fill:#eaeef2,stroke:#6e7781,color:#6e7781,stroke-dasharray:4",
};

const STATUS_LABEL: Record<NodeStatus, string> = {
  pending: "⚪ pending",
  ready: "🔵 ready",
  running: "🟡 running",
  done: "🟢 done",
  failed: "🔴 failed",
  blocked: "⛔ blocked",
  cancelled: "⚫ cancelled",
};

/** The dashboard comment's Markdown: where the run stands, the DAG in Mermaid, a table per node, totals. */
export function renderDashboard(view: DashboardView): string {
  const lines = [`### 🐝 swarm · ${view.dryRun ? "dry run · " : ""}${view.status}`, "", view.headline];
  const stage = stageLine(view);
  if (stage) lines.push("", stage);
  const plan = view.plan;
  if (plan && view.status === "awaiting-approval") lines.push("", ...approvalBlock(plan, view.estimate));
  if (plan) {
    lines.push("", "```mermaid", ...mermaid(plan, view.states), "```", "");
    lines.push(
      "| Node | Role | Status | Branch | Sub-issue | Tokens | Cost |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const node of plan.nodes) {
      const spend = view.ledger?.byNode[node.id];
      const issue = view.nodeIssues[node.id];
      const branch = view.branches[node.id];
      lines.push(
        `| \`${node.id}\` ${cell(node.title)} | ${node.role} | ${STATUS_LABEL[view.states[node.id] ?? "pending"]} | ${branch ? `\`${branch}\`` : "—"} | ${issue ? `#${issue.number}` : "—"} | ${spend ? spend.tokens.toLocaleString("en-US") : "—"} | ${spend ? `$${spend.usd.toFixed(2)}` : "—"} |`,
      );
    }
    const done = plan.nodes.filter((n) => view.states[n.id] === "done").length;
    lines.push("", `**${done} of ${plan.nodes.length} nodes done** · ${totals(view.ledger)}`);
    if (view.estimate) lines.push("", ...estimateLines(view.estimate));
  } else if (view.ledger) {
    lines.push("", totals(view.ledger));
  }
  if (view.pullRequestUrl) lines.push("", `Pull request: ${view.pullRequestUrl}`);
  lines.push("", "<sub>Comment `/swarm help` for commands. This comment is updated in place.</sub>");
  return lines.join("\n");
}

/**
 * What a person approves: the plan's summary and estimate, and the checkbox. Ticking it (or commenting
 * `/swarm approve`) starts the nodes; swarm always renders it unticked, so its own edits never tick it.
 */
function approvalBlock(plan: Plan, estimate: PlanEstimate | null | undefined): string[] {
  return [
    "**This plan waits for approval: no node is coded until a person with write access approves it.**",
    "",
    `> ${plan.summary.replace(/[\r\n]+/g, " ").slice(0, 600)}`,
    "",
    `Estimated: ${estimate ? describeEstimate(estimate) : "unknown"}.`,
    "",
    APPROVAL_BOX,
    "",
    "Or comment `/swarm approve`; `/swarm replan <what to change>` plans again with your feedback.",
  ];
}

const FINAL = new Set<RunStatus>(["green", "unverified", "failed", "cancelled"]);

/** While a run is under way: its stage and since when, what is running and what waits. */
function stageLine(view: DashboardView): string | null {
  if (FINAL.has(view.status) || view.dryRun) return null;
  const ids = (wanted: NodeStatus[]) =>
    (view.plan?.nodes ?? [])
      .filter((n) => wanted.includes(view.states[n.id] ?? "pending"))
      .map((n) => `\`${n.id}\``);
  const running = ids(["running"]);
  const waiting = ids(["pending", "ready"]);
  const at = view.since ? new Date(view.since) : null;
  const since = at && !Number.isNaN(at.getTime()) ? ` since ${at.toISOString().slice(11, 16)} UTC` : "";
  return `${[
    `<sub>Stage: **${view.status}**${since}`,
    ...(running.length > 0 ? [`running ${running.join(", ")}`] : []),
    ...(waiting.length > 0 ? [`waiting: ${waiting.join(", ")}`] : []),
  ].join(" · ")}</sub>`;
}

/** The estimate as the dashboard shows it: the whole, then tokens by role and model. */
export function estimateLines(e: PlanEstimate): string[] {
  return [`**Estimate:** ${describeEstimate(e)}`, `<sub>Tokens by role: ${describeRoles(e)}</sub>`];
}

/** The plan as a Mermaid flowchart, each node coloured by its status. */
export function mermaid(plan: Plan, states: Readonly<Record<string, NodeStatus>>): string[] {
  const id = (node: string) => `n_${node.replace(/-/g, "_")}`;
  const out = ["flowchart LR"];
  for (const node of plan.nodes) out.push(`  ${id(node.id)}["${label(`${node.id} · ${node.title}`)}"]`);
  for (const node of plan.nodes)
    for (const dep of node.dependsOn) out.push(`  ${id(dep)} --> ${id(node.id)}`);
  const used = new Set<NodeStatus>();
  for (const node of plan.nodes) {
    const status = states[node.id] ?? "pending";
    used.add(status);
    out.push(`  class ${id(node.id)} ${status}`);
  }
  for (const status of used) out.push(`  classDef ${status} ${STATUS_STYLE[status]}`);
  return out;
}

/** Node titles come from the model: nothing in them may break out of the Mermaid label or the table. */
function label(text: string): string {
  const short = text.length > 48 ? `${text.slice(0, 47)}…` : text;
  return short.replace(/["<>`[\]{}|\n\r]/g, (c) => (c === "\n" || c === "\r" ? " " : `#${c.charCodeAt(0)};`));
}

export function cell(text: string): string {
  return text
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ")
    .slice(0, 80);
}

export function totals(ledger: Ledger | null): string {
  if (!ledger) return "no model calls yet";
  return `${ledger.tokens.toLocaleString("en-US")} tokens · $${ledger.usd.toFixed(2)}`;
}
