import type { Ledger } from "../../domain/budget/budget.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import { cell, mermaid, totals } from "../dashboard/render-dashboard.js";
import { dagSvg, escapeHtml } from "./dag-svg.js";

/** Everything a run's report says, gathered from the forge once the run has ended. */
export type ReportView = {
  title: string;
  status: string;
  headline: string;
  runId: string;
  repoDir: string;
  base: string;
  branch: string | null;
  headSha: string | null;
  plan: Plan | null;
  states: Readonly<Record<string, NodeStatus>>;
  summaries: Readonly<Record<string, string>>;
  checks: readonly { name: string; conclusion: string | null; title: string; summary: string }[];
  reviews: readonly { body: string; comments: readonly { path: string; line: number; body: string }[] }[];
  /** What swarm said on the spec besides the dashboard: errors, why it stopped. */
  notes: readonly string[];
  ledger: Ledger | null;
  seconds: number;
  /** When each stage began, in seconds from the start. */
  timeline: readonly { at: number; text: string }[];
  /** Time each node spent being coded, summed over its runs. */
  nodeSeconds: Readonly<Record<string, number>>;
  modelSource: string;
};

type Section = { heading: string; markdown: string[]; html: string[] };

/** The run's report, as Markdown (the DAG in Mermaid) and as one HTML file (the DAG drawn in SVG). */
export function renderReport(view: ReportView): { markdown: string; html: string } {
  const green = view.status === "green";
  const verdict = green ? "✅ green" : `❌ ${view.status}`;
  const facts = [
    `Result: ${verdict}: ${view.headline}`,
    `Run ${view.runId} in ${view.seconds.toFixed(1)} s · ${totals(view.ledger)} · model: ${view.modelSource}`,
    view.branch
      ? `The result is on branch \`${view.branch}\`${view.headSha ? ` at ${view.headSha.slice(0, 7)}` : ""} of ${view.repoDir}; merge it into \`${view.base}\` when you are happy with it.`
      : `Nothing was merged; the repository is ${view.repoDir}.`,
  ];
  const sections: Section[] = [];
  if (view.plan) {
    const rows = view.plan.nodes.map((n) => {
      const spend = view.ledger?.byNode[n.id];
      return {
        id: n.id,
        cells: [
          n.id,
          n.title,
          view.states[n.id] ?? "pending",
          view.nodeSeconds[n.id] === undefined ? "" : `${(view.nodeSeconds[n.id] ?? 0).toFixed(1)} s`,
          spend ? `${spend.tokens.toLocaleString("en-US")} tokens · $${spend.usd.toFixed(3)}` : "",
          view.summaries[n.id] ?? "",
        ],
      };
    });
    const header = ["node", "title", "status", "time", "spend", "what it did"];
    sections.push({
      heading: "Plan",
      markdown: [
        view.plan.summary,
        "",
        "```mermaid",
        ...mermaid(view.plan, view.states),
        "```",
        "",
        `| ${header.join(" | ")} |`,
        `| ${header.map(() => "---").join(" | ")} |`,
        ...rows.map((r) => `| ${r.cells.map(cell).join(" | ")} |`),
      ],
      html: [
        `<p>${escapeHtml(view.plan.summary)}</p>`,
        dagSvg(view.plan, view.states),
        `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>`,
        ...rows.map((r) => `<tr>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`),
        "</table>",
      ],
    });
  }
  if (view.timeline.length > 0)
    sections.push({
      heading: "Timeline",
      markdown: view.timeline.map((t) => `- ${t.at.toFixed(1)} s: ${t.text}`),
      html: [
        `<ul>${view.timeline.map((t) => `<li>${t.at.toFixed(1)} s: ${escapeHtml(t.text)}</li>`).join("")}</ul>`,
      ],
    });
  if (view.checks.length > 0)
    sections.push({
      heading: "Checks on the result",
      markdown: view.checks.flatMap((c) => [
        `- **${c.name}**: ${c.conclusion ?? "not finished"} (${c.title})`,
        ...(c.conclusion === "success" || !c.summary ? [] : ["", "```", c.summary, "```", ""]),
      ]),
      html: view.checks.map(
        (c) =>
          `<p><b>${escapeHtml(c.name)}</b>: ${escapeHtml(c.conclusion ?? "not finished")} (${escapeHtml(c.title)})</p>${c.conclusion === "success" || !c.summary ? "" : `<pre>${escapeHtml(c.summary)}</pre>`}`,
      ),
    });
  if (view.reviews.length > 0)
    sections.push({
      heading: "Reviews",
      markdown: view.reviews.flatMap((r) => [
        r.body,
        ...r.comments.map((c) => `- \`${c.path}:${c.line}\`: ${c.body}`),
        "",
      ]),
      html: view.reviews.map(
        (r) =>
          `<pre>${escapeHtml(r.body)}</pre><ul>${r.comments.map((c) => `<li><code>${escapeHtml(`${c.path}:${c.line}`)}</code>: ${escapeHtml(c.body)}</li>`).join("")}</ul>`,
      ),
    });
  if (view.notes.length > 0)
    sections.push({
      heading: "What swarm said",
      markdown: view.notes.flatMap((n) => [n, ""]),
      html: view.notes.map((n) => `<pre>${escapeHtml(n)}</pre>`),
    });

  const markdown = [
    `# swarm: ${view.title}`,
    "",
    ...facts.map((f) => `- ${f}`),
    ...sections.flatMap((s) => ["", `## ${s.heading}`, "", ...s.markdown]),
    "",
  ].join("\n");
  const html = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>swarm: ${escapeHtml(view.title)}</title>`,
    "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap}</style>",
    "</head><body>",
    `<h1>swarm: ${escapeHtml(view.title)}</h1>`,
    `<ul>${facts.map((f) => `<li>${escapeHtml(f)}</li>`).join("")}</ul>`,
    ...sections.flatMap((s) => [`<h2>${s.heading}</h2>`, ...s.html]),
    "</body></html>",
    "",
  ].join("\n");
  return { markdown, html };
}
