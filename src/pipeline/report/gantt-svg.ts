import type { NodeStatus } from "../../domain/state/node-status.js";
import { STATUS_FILL } from "./dag-svg.js";
import { escapeHtml } from "./escape-html.js";

export type Span = { start: number; end: number };

const ROW = 24;
const BAR = 14;
const CHART = 640;
const TOP = 34;
const AXIS = 36;
const CHAR = 6.2;

/**
 * When each node was being coded, as a Gantt chart in SVG: one lane per node (in plan order) holding one bar
 * per time it ran (a revision runs it again), x in seconds from the start of the run, the bar coloured by
 * the node's final status; the stages are dashed lines across, so what ran in parallel is plain to see. A
 * node that never ran keeps its lane, saying so.
 */
export function ganttSvg(view: {
  nodes: readonly string[];
  spans: Readonly<Record<string, readonly Span[]>>;
  states: Readonly<Record<string, NodeStatus>>;
  stages: readonly { at: number; text: string }[];
  seconds: number;
}): string {
  const label = Math.round(
    Math.min(220, Math.max(80, 16 + CHAR * Math.max(0, ...view.nodes.map((n) => n.length)))),
  );
  const ends = view.nodes.flatMap((n) => (view.spans[n] ?? []).map((s) => s.end));
  const total = Math.max(view.seconds, ...ends, ...view.stages.map((s) => s.at), 0.001);
  const step = tickStep(total);
  const scale = CHART / (Math.ceil(total / step) * step);
  const x = (seconds: number) => label + seconds * scale;
  const width = label + CHART + 20;
  const height = TOP + view.nodes.length * ROW + AXIS;
  const bottom = TOP + view.nodes.length * ROW;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  ];
  // Stage lines first, so bars sit over them. Each label takes the first of two rows with room for it; one
  // that fits in neither is left to the line's tooltip rather than written over another.
  const free = [0, 0];
  for (const s of view.stages) {
    const at = x(s.at);
    const text = s.text.length > 24 ? `${s.text.slice(0, 23)}…` : s.text;
    const row = free.findIndex((end) => end <= at);
    const y = row === 1 ? 26 : 12;
    parts.push(
      `<g class="stage"><title>${escapeHtml(`${s.at.toFixed(1)} s: ${s.text}`)}</title><line x1="${at}" y1="${row === -1 ? TOP - 4 : y}" x2="${at}" y2="${bottom}" stroke="#9ca3af" stroke-dasharray="3,3"/>`,
      row === -1
        ? "</g>"
        : `<text x="${at + 3}" y="${y}" fill="#4b5563" font-size="11">${escapeHtml(text)}</text></g>`,
    );
    if (row !== -1) free[row] = at + 3 + text.length * 5.6 + 6;
  }
  view.nodes.forEach((id, row) => {
    const y = TOP + row * ROW;
    const status = view.states[id] ?? "pending";
    const spans = view.spans[id] ?? [];
    parts.push(
      `<g class="node-bars" data-node="${escapeHtml(id)}">`,
      `<text x="${label - 8}" y="${y + ROW / 2 + 4}" text-anchor="end">${escapeHtml(id)}</text>`,
    );
    for (const s of spans)
      parts.push(
        `<rect class="bar" data-node="${escapeHtml(id)}" data-start="${s.start.toFixed(2)}" data-end="${s.end.toFixed(2)}" x="${x(s.start).toFixed(1)}" y="${y + (ROW - BAR) / 2}" width="${Math.max(2, (s.end - s.start) * scale).toFixed(1)}" height="${BAR}" rx="3" fill="${STATUS_FILL[status]}" stroke="#555"><title>${escapeHtml(`${id}: ${s.start.toFixed(1)}–${s.end.toFixed(1)} s (${status})`)}</title></rect>`,
      );
    if (spans.length === 0)
      parts.push(
        `<text x="${label + 4}" y="${y + ROW / 2 + 4}" fill="#6b7280" font-style="italic">did not run (${status})</text>`,
      );
    parts.push("</g>");
  });
  parts.push(
    `<g class="axis"><line x1="${label}" y1="${bottom}" x2="${label + CHART}" y2="${bottom}" stroke="#555"/>`,
  );
  for (let t = 0; t * scale <= CHART + 0.5; t += step)
    parts.push(
      `<line x1="${x(t)}" y1="${bottom}" x2="${x(t)}" y2="${bottom + 4}" stroke="#555"/><text x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${round(t)} s</text>`,
    );
  parts.push(
    `<text x="${label + CHART / 2}" y="${bottom + 32}" text-anchor="middle" fill="#4b5563">seconds from the start of the run</text></g>`,
    "</svg>",
  );
  return parts.join("\n");
}

/** A round step (1, 2 or 5 times a power of ten) that puts five to ten ticks on the axis. */
function tickStep(total: number): number {
  const rough = total / 8;
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power) || 1;
}

function round(t: number): string {
  return Number(t.toPrecision(6)).toString();
}
