import type { Ledger } from "../../domain/budget/budget.js";
import { type ActualSpend, compareEstimate } from "../../domain/estimate/compare-estimate.js";
import type { PlanEstimate } from "../../domain/estimate/run-actuals.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import { mermaid, totals } from "../dashboard/render-dashboard.js";
import { dagSvg } from "./dag-svg.js";
import { escapeHtml } from "./escape-html.js";
import { ganttSvg, type Span } from "./gantt-svg.js";
import { markdownToHtml } from "./markdown-to-html.js";

/** Everything a run's report says, gathered from the forge once the run has ended. */
export type ReportView = {
  title: string;
  /** The run's status; `unverified` is a result no check looked at (none are configured). */
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
  /** Why each node that did not finish stopped, as Markdown: what swarm said on its sub-issue. */
  failures: Readonly<Record<string, string>>;
  checks: readonly { name: string; conclusion: string | null; title: string; summary: string }[];
  reviews: readonly { body: string; comments: readonly { path: string; line: number; body: string }[] }[];
  /** What swarm said on the spec besides the dashboard: errors, why it stopped. */
  notes: readonly string[];
  ledger: Ledger | null;
  seconds: number;
  /** When each stage began, in seconds from the start. */
  stages: readonly { at: number; text: string }[];
  /** Each time a node was being coded (a revision codes it again), in seconds from the start. */
  nodeSpans: Readonly<Record<string, readonly Span[]>>;
  modelSource: string;
  /** The estimate made when the plan was, and what the run took, to show side by side. */
  estimate?: PlanEstimate | null;
  actual?: ActualSpend | null;
};

type Section = { heading: string; markdown: string[]; html: string[] };

/**
 * The verdict, with its word always beside the emoji, so a font without the glyph still reads; in HTML the
 * emoji is also labelled for screen readers.
 */
function verdictOf(status: string): { emoji: string; meaning: string; word: string } {
  if (status === "green") return { emoji: "✅", meaning: "passed", word: "green" };
  if (status === "unverified") return { emoji: "⚠️", meaning: "warning", word: "not verified" };
  return { emoji: "❌", meaning: "failed", word: status };
}

/** The run's report, as Markdown (the DAG in Mermaid) and as one HTML file (the DAG drawn in SVG). */
export function renderReport(view: ReportView): { markdown: string; html: string } {
  const verdict = verdictOf(view.status);
  const where = view.branch
    ? `The result is on branch \`${view.branch}\`${view.headSha ? ` at ${view.headSha.slice(0, 7)}` : ""} of \`${view.repoDir}\`; merge it into \`${view.base}\` when you are happy with it.`
    : `Nothing was merged; the repository is \`${view.repoDir}\`.`;
  const run = `Run ${view.runId} in ${view.seconds.toFixed(1)} s · ${totals(view.ledger)} · model: ${view.modelSource}`;
  const factsMarkdown = [`Result: ${verdict.emoji} ${verdict.word}: ${view.headline}`, run, where];
  const factsHtml = [
    `Result: <span class="verdict verdict-${verdict.meaning}"><span role="img" aria-label="${verdict.meaning}" title="${verdict.meaning}">${verdict.emoji}</span> ${escapeHtml(verdict.word)}</span>: ${markdownToHtml(view.headline, { inline: true })}`,
    markdownToHtml(run, { inline: true }),
    markdownToHtml(where, { inline: true }),
  ];
  const sections: Section[] = [];
  if (view.plan) {
    const plan = view.plan;
    const rows = plan.nodes.map((n) => {
      const spend = view.ledger?.byNode[n.id];
      const spans = view.nodeSpans[n.id] ?? [];
      const status = view.states[n.id] ?? "pending";
      return {
        cells: [
          n.id,
          n.title,
          status,
          spans.length === 0 ? "" : `${spans.reduce((s, r) => s + r.end - r.start, 0).toFixed(1)} s`,
          spend ? `${spend.tokens.toLocaleString("en-US")} tokens · $${spend.usd.toFixed(3)}` : "",
        ],
        did: whatItDid(plan, n.id, status, view),
      };
    });
    const header = ["node", "title", "status", "time", "spend", "what it did"];
    sections.push({
      heading: "Plan",
      markdown: [
        ...(plan.summary ? [plan.summary, ""] : []),
        "```mermaid",
        ...mermaid(plan, view.states),
        "```",
        "",
        `| ${header.join(" | ")} |`,
        `| ${header.map(() => "---").join(" | ")} |`,
        ...rows.map((r) => `| ${[...r.cells, r.did].map(tableCell).join(" | ")} |`),
      ],
      html: [
        ...(plan.summary ? [markdownToHtml(plan.summary)] : []),
        `<figure class="dag">${dagSvg(plan, view.states)}</figure>`,
        `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>`,
        ...rows.map(
          (r) =>
            `<tr>${r.cells.map((c, i) => `<td${i >= 3 ? ' class="nowrap"' : ""}>${escapeHtml(c)}</td>`).join("")}<td class="did">${compact(markdownToHtml(r.did))}</td></tr>`,
        ),
        "</table>",
      ],
    });
  }
  if (view.estimate) {
    const rows = compareEstimate(
      view.estimate,
      view.actual ?? { usd: view.ledger?.usd ?? 0, tokens: view.ledger?.tokens ?? 0 },
    );
    const basis = `Estimated when the plan was made, based on ${view.estimate.basis}.`;
    const header = ["", "estimate", "actual"];
    sections.push({
      heading: "Estimate and actual",
      markdown: [
        basis,
        "",
        `| ${header.join(" | ")} |`,
        "| --- | --- | --- |",
        ...rows.map((r) => `| ${r.map(tableCell).join(" | ")} |`),
      ],
      html: [
        `<p>${escapeHtml(basis)}</p>`,
        `<table><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr>`,
        ...rows.map((r) => `<tr>${r.map((c) => `<td class="nowrap">${escapeHtml(c)}</td>`).join("")}</tr>`),
        "</table>",
      ],
    });
  }
  const ran = view.plan?.nodes.filter((n) => (view.nodeSpans[n.id] ?? []).length > 0) ?? [];
  if (view.stages.length > 0 || ran.length > 0)
    sections.push({
      heading: "Timeline",
      markdown: [
        ...view.stages.map((t) => `- ${t.at.toFixed(1)} s: ${t.text}`),
        ...(ran.length === 0
          ? []
          : [
              "",
              "| node | start | end |",
              "| --- | --- | --- |",
              ...ran.flatMap((n) =>
                (view.nodeSpans[n.id] ?? []).map(
                  (s) => `| ${tableCell(n.id)} | ${s.start.toFixed(1)} s | ${s.end.toFixed(1)} s |`,
                ),
              ),
            ]),
      ],
      html: [
        ...(view.plan
          ? [
              `<figure class="timeline">${ganttSvg({
                nodes: view.plan.nodes.map((n) => n.id),
                spans: view.nodeSpans,
                states: view.states,
                stages: view.stages,
                seconds: view.seconds,
              })}</figure>`,
            ]
          : []),
        `<ul>${view.stages.map((t) => `<li>${t.at.toFixed(1)} s: ${markdownToHtml(t.text, { inline: true })}</li>`).join("")}</ul>`,
      ],
    });
  if (view.checks.length > 0)
    sections.push({
      heading: "Checks on the result",
      // A failed check's summary is the tail of its output: shown verbatim, as a log (Markdown would
      // mangle its `*` and `#`). Any other summary is a line or a note (swarm's own check), rendered.
      markdown: view.checks.flatMap((c) => {
        const head = `- **${c.name}**: ${c.conclusion ?? "not finished"} (${c.title})`;
        if (!c.summary) return [head];
        if (isLog(c)) return [head, "", fence(c.summary), ""];
        return [head, "", ...c.summary.split("\n").map((l) => (l ? `  ${l}` : "")), ""];
      }),
      html: view.checks.map((c) => {
        const head = `<strong>${escapeHtml(c.name)}</strong>: ${escapeHtml(c.conclusion ?? "not finished")} (${markdownToHtml(c.title, { inline: true })})`;
        if (!c.summary) return `<p class="check">${head}</p>`;
        if (isLog(c)) return `<p class="check">${head}</p><pre><code>${escapeHtml(c.summary)}</code></pre>`;
        return `<p class="check">${head}</p><div class="summary">${markdownToHtml(c.summary)}</div>`;
      }),
    });
  if (view.reviews.length > 0)
    sections.push({
      heading: "Reviews",
      markdown: view.reviews.flatMap((r) => [
        r.body,
        "",
        ...r.comments.map((c) => `- \`${c.path}:${c.line}\`: ${c.body}`),
        "",
      ]),
      html: view.reviews.map(
        (r) =>
          `<div class="review">${markdownToHtml(r.body)}<ul>${r.comments.map((c) => `<li><code>${escapeHtml(`${c.path}:${c.line}`)}</code>: ${compact(markdownToHtml(c.body))}</li>`).join("")}</ul></div>`,
      ),
    });
  if (view.notes.length > 0)
    sections.push({
      heading: "What swarm said",
      markdown: view.notes.flatMap((n) => [n, ""]),
      html: view.notes.map((n) => `<div class="note">${markdownToHtml(n)}</div>`),
    });

  const markdown = [
    `# swarm: ${view.title}`,
    "",
    ...factsMarkdown.map((f) => `- ${f}`),
    ...sections.flatMap((s) => ["", `## ${s.heading}`, "", ...s.markdown]),
    "",
  ].join("\n");
  const html = [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>swarm: ${escapeHtml(view.title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head><body>",
    `<h1>swarm: ${escapeHtml(view.title)}</h1>`,
    `<ul class="facts">${factsHtml.map((f) => `<li>${f}</li>`).join("")}</ul>`,
    ...sections.flatMap((s) => [`<h2>${s.heading}</h2>`, ...s.html]),
    "</body></html>",
    "",
  ].join("\n");
  return { markdown, html };
}

// Emoji fonts last, so a system that has one shows the verdict's glyph; the word beside it reads either way.
const STYLE = [
  'body{font-family:system-ui,sans-serif,"Noto Color Emoji","Apple Color Emoji","Segoe UI Emoji";max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45}',
  "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}",
  "td.did p{margin:0 0 .4em}td.did p:last-child{margin:0}td.nowrap{white-space:nowrap}p.html{white-space:pre-wrap}",
  "pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap}code{background:#f6f8fa;padding:0 3px;border-radius:3px}",
  "figure{margin:1rem 0;overflow-x:auto}.summary{margin-left:1.5rem}.review,.note{border-left:3px solid #d0d7de;padding-left:12px;margin:1rem 0}",
  ".verdict-passed{color:#166534}.verdict-failed{color:#991b1b}.verdict-warning{color:#92400e}",
].join("");

/** What a node did, or, when it did not finish, why: what swarm said on its sub-issue, or what held it. */
function whatItDid(plan: Plan, id: string, status: NodeStatus, view: ReportView): string {
  if (status === "done") return view.summaries[id] ?? "";
  const said = view.failures[id];
  if (said) return said;
  const unfinished = (plan.nodes.find((n) => n.id === id)?.dependsOn ?? []).filter(
    (d) => view.states[d] !== "done",
  );
  if (status === "blocked" || unfinished.length > 0)
    return unfinished.length > 0
      ? `Did not start: it depends on ${unfinished.map((d) => `\`${d}\` (${view.states[d] ?? "pending"})`).join(", ")}.`
      : "Did not start: a node it depends on did not finish.";
  if (status === "cancelled") return "Cancelled before it finished.";
  if (status === "failed") return "Failed; swarm left no note saying why (see what swarm said below).";
  if (status === "running") return "Still being coded when the run ended.";
  return "Did not start before the run ended.";
}

/** One rendered paragraph without its `<p>`, so it runs on from the text before it; anything more as it is. */
function compact(html: string): string {
  const single = /^<p>([\s\S]*)<\/p>$/.exec(html);
  return single?.[1] !== undefined && !single[1].includes("<p>") ? single[1] : html;
}

function isLog(check: { conclusion: string | null }): boolean {
  return check.conclusion !== null && !["success", "neutral", "skipped"].includes(check.conclusion);
}

/** A fence longer than any run of backticks in the text, so the text cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const mark = "`".repeat(longest + 1);
  return `${mark}\n${text}\n${mark}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/**
 * A Markdown table cell: one line, pipes escaped, cut at 100 characters; when the cut leaves a code span or
 * bold open, those marks are dropped from the cell so it does not show them raw.
 */
function tableCell(text: string): string {
  const line = oneLine(text).replace(/\|/g, "\\|");
  if (line.length <= 100) return line;
  let cut = `${line.slice(0, 99)}…`;
  for (const mark of ["**", "`"]) if (cut.split(mark).length % 2 === 0) cut = cut.split(mark).join("");
  return cut;
}
