import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskResult, Variant } from "../../domain/eval/eval-task.js";
import { answersNote, summariseEval } from "../../domain/eval/summarise-eval.js";
import { escapeHtml } from "../../pipeline/report/escape-html.js";
import type { EvalOutcome } from "./run-eval.js";

const cell = (r: TaskResult | undefined) =>
  r
    ? `${r.solved ? "solved" : "NOT solved"}${r.swarmGreen && !r.solved ? " (said green)" : ""} ${r.seconds.toFixed(0)} s $${r.usd.toFixed(3)}`
    : "-";

/** The terminal's table: a row per task (and repeat), a column per variant, then each variant's totals. */
export function renderEvalTable(outcome: EvalOutcome): string {
  const variants = [...new Set(outcome.results.map((r) => r.variant))];
  const rows = [...new Set(outcome.results.map((r) => `${r.task}\0${r.repeat}`))].map((key) => {
    const [task, repeat] = key.split("\0");
    const of = (v: Variant) =>
      outcome.results.find((r) => r.task === task && String(r.repeat) === repeat && r.variant === v);
    return [`${task}${repeat !== "0" ? ` #${Number(repeat) + 1}` : ""}`, ...variants.map((v) => cell(of(v)))];
  });
  const summary = summariseEval(outcome.results);
  const totals = [
    ["solved", ...summary.map((s) => `${s.solved} of ${s.runs} (${(100 * s.solveRate).toFixed(0)}%)`)],
    ["said green, not solved", ...summary.map((s) => String(s.greenButUnsolved))],
    ["mean cost", ...summary.map((s) => `$${s.meanUsd.toFixed(4)}`)],
    ["mean wall time", ...summary.map((s) => `${s.meanSeconds.toFixed(1)} s`)],
    ["mean nodes", ...summary.map((s) => s.meanNodes.toFixed(1))],
  ];
  const table = [["task", ...variants], ...rows, ...totals];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((r) => (r[i] ?? "").length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const note = answersNote(outcome.results);
  return [
    ...(note ? [note, ""] : []),
    line(table[0] ?? []),
    ...rows.map(line),
    "",
    ...totals.map(line),
    ...(outcome.skipped > 0 ? ["", `${outcome.skipped} runs not made: the budget was spent.`] : []),
    ...(outcome.errors.length > 0
      ? [
          "",
          "Runs the harness could not make (not recorded; run again to retry):",
          ...outcome.errors.map((e) => `- ${e}`),
        ]
      : []),
    "",
  ].join("\n");
}

/** Bars of one figure per task, a colour per variant, scaled to the largest. */
function barChart(
  title: string,
  results: readonly TaskResult[],
  value: (r: TaskResult) => number,
  unit: (x: number) => string,
): string {
  const tasks = [...new Set(results.map((r) => r.task))];
  const variants = [...new Set(results.map((r) => r.variant))];
  const mean = (task: string, v: Variant) => {
    const of = results.filter((r) => r.task === task && r.variant === v);
    return of.length ? of.reduce((s, r) => s + value(r), 0) / of.length : 0;
  };
  const max = Math.max(1e-9, ...tasks.flatMap((t) => variants.map((v) => mean(t, v))));
  const colour: Record<Variant, string> = { swarm: "#1f6feb", single: "#d29922" };
  const rowH = 14 * variants.length + 10;
  const bars = tasks.flatMap((t, i) => [
    `<text x="0" y="${i * rowH + 12}" font-size="11">${escapeHtml(t)}</text>`,
    ...variants.map((v, j) => {
      const x = mean(t, v);
      const w = (x / max) * 360;
      const y = i * rowH + j * 14 + 2;
      return `<rect x="160" y="${y}" width="${w.toFixed(1)}" height="12" fill="${colour[v]}"><title>${v}: ${unit(x)}</title></rect><text x="${(165 + w).toFixed(1)}" y="${y + 10}" font-size="10">${v} ${unit(x)}</text>`;
    }),
  ]);
  return `<h2>${escapeHtml(title)}</h2><svg width="640" height="${tasks.length * rowH + 4}" role="img" aria-label="${escapeHtml(title)}">${bars.join("")}</svg>`;
}

/** The HTML report: the answers' note, each variant's totals, a row per run, and charts of wall time and cost. */
export function renderEvalHtml(outcome: EvalOutcome, title: string): string {
  const note = answersNote(outcome.results);
  const summary = summariseEval(outcome.results);
  const head =
    "<tr><th>task</th><th>way</th><th>#</th><th>solved</th><th>hidden tests failing</th><th>swarm said</th><th>cost</th><th>tokens</th><th>wall time</th><th>nodes</th><th>revisions</th></tr>";
  const rows = outcome.results.map(
    (r) =>
      `<tr><td>${escapeHtml(r.task)}</td><td>${r.variant}</td><td>${r.repeat + 1}</td><td>${r.solved ? "yes" : "<b>no</b>"}</td><td>${escapeHtml(r.failed.join("; "))}</td><td>${escapeHtml(r.status)}</td><td>$${r.usd.toFixed(4)}</td><td>${r.tokens}</td><td>${r.seconds.toFixed(1)} s</td><td>${r.nodes}</td><td>${r.revisions}</td></tr>`,
  );
  const totals = summary.map(
    (s) =>
      `<tr><td>${s.variant}</td><td>${s.solved} of ${s.runs} (${(100 * s.solveRate).toFixed(0)}%)</td><td>${s.greenButUnsolved}</td><td>$${s.meanUsd.toFixed(4)}</td><td>${s.meanSeconds.toFixed(1)} s</td><td>${s.meanNodes.toFixed(1)}</td></tr>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.note{background:#fff8c5;padding:8px;border:1px solid #d4a72c}</style></head><body>
<h1>${escapeHtml(title)}</h1>
${note ? `<p class="note">${escapeHtml(note)}</p>` : ""}
<table><tr><th>way</th><th>solved</th><th>said green, not solved</th><th>mean cost</th><th>mean wall time</th><th>mean nodes</th></tr>${totals.join("")}</table>
${barChart(
  "Wall time per task",
  outcome.results,
  (r) => r.seconds,
  (x) => `${x.toFixed(1)} s`,
)}
${barChart(
  "Cost per task",
  outcome.results,
  (r) => r.usd,
  (x) => `$${x.toFixed(4)}`,
)}
<h2>Every run</h2>
<table>${head}${rows.join("")}</table>
</body></html>
`;
}

/** eval.json (every figure) and eval.html beside results.jsonl; returns their paths. */
export async function writeEvalReports(out: string, outcome: EvalOutcome, suite: string) {
  const json = join(out, "eval.json");
  const html = join(out, "eval.html");
  const note = answersNote(outcome.results);
  await writeFile(
    json,
    `${JSON.stringify({ suite, ...(note ? { note } : {}), summary: summariseEval(outcome.results), results: outcome.results, skipped: outcome.skipped, errors: outcome.errors }, null, 2)}\n`,
  );
  await writeFile(html, renderEvalHtml(outcome, `swarm eval: ${suite}`));
  return { json, html };
}
