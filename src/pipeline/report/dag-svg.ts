import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";

const FILL: Record<NodeStatus, string> = {
  pending: "#eeeeee",
  ready: "#dbeafe",
  running: "#fde68a",
  done: "#bbf7d0",
  failed: "#fecaca",
  blocked: "#e5e7eb",
  cancelled: "#e5e7eb",
};

const W = 180;
const H = 44;
const GAP_X = 60;
const GAP_Y = 20;

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}

/**
 * The plan as an SVG drawing that needs no script or network: nodes in columns by depth (a node sits one
 * column right of its deepest dependency), coloured by status, with an arrow for each dependency.
 */
export function dagSvg(plan: Plan, states: Readonly<Record<string, NodeStatus>>): string {
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string> = new Set()): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle cannot pass validation; guard anyway
    seen.add(id);
    const node = plan.nodes.find((n) => n.id === id);
    const d = Math.max(-1, ...(node?.dependsOn ?? []).map((dep) => depthOf(dep, seen))) + 1;
    depth.set(id, d);
    return d;
  };
  const columns: string[][] = [];
  for (const node of plan.nodes) {
    const d = depthOf(node.id);
    columns[d] = [...(columns[d] ?? []), node.id];
  }
  const at = new Map<string, { x: number; y: number }>();
  columns.forEach((ids, c) => {
    ids.forEach((id, r) => {
      at.set(id, { x: 10 + c * (W + GAP_X), y: 10 + r * (H + GAP_Y) });
    });
  });
  const width = 20 + columns.length * (W + GAP_X) - GAP_X;
  const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>',
  ];
  for (const node of plan.nodes)
    for (const dep of node.dependsOn) {
      const from = at.get(dep);
      const to = at.get(node.id);
      if (from && to)
        parts.push(
          `<line x1="${from.x + W}" y1="${from.y + H / 2}" x2="${to.x}" y2="${to.y + H / 2}" stroke="#555" marker-end="url(#arrow)"/>`,
        );
    }
  for (const node of plan.nodes) {
    const p = at.get(node.id);
    if (!p) continue;
    const status = states[node.id] ?? "pending";
    const title = node.title.length > 26 ? `${node.title.slice(0, 25)}…` : node.title;
    parts.push(
      `<g><rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="${FILL[status]}" stroke="#777"/>`,
      `<text x="${p.x + 8}" y="${p.y + 18}" font-weight="bold">${escapeHtml(node.id)} · ${status}</text>`,
      `<text x="${p.x + 8}" y="${p.y + 34}">${escapeHtml(title)}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
