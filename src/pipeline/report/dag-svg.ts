import type { Plan } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import { escapeHtml } from "./escape-html.js";

export const STATUS_FILL: Readonly<Record<NodeStatus, string>> = {
  pending: "#eeeeee",
  ready: "#dbeafe",
  running: "#fde68a",
  done: "#bbf7d0",
  failed: "#fecaca",
  blocked: "#e5e7eb",
  cancelled: "#e5e7eb",
};

const H = 44;
/** The height of the slot a long edge takes in each column it passes through. */
const VIA = 12;
const GAP_X = 60;
const GAP_Y = 20;
const MARGIN = 10;
/** About how wide one character of the 12 px labels is, to size the boxes. */
const CHAR = 6.2;

/** What a column holds, top to bottom: a node's box, or the lane of an edge passing through. */
type Item = { kind: "node"; id: string } | { kind: "via"; from: string; to: string; column: number };
type Placed = { x: number; y: number; h: number };

/**
 * The plan as an SVG drawing that needs no script or network: nodes in columns by depth (a node sits one
 * column right of its deepest dependency), coloured by status, with an arrow for each dependency. An edge
 * that skips columns takes a lane of its own in each column it passes, so no edge runs under a box; rows are
 * ordered by their neighbours' positions (barycentres) to keep crossings few; each edge leaves the right side
 * of its box and enters the left side of the next at a port of its own, so arrowheads do not pile up.
 */
export function dagSvg(plan: Plan, states: Readonly<Record<string, NodeStatus>>): string {
  const depth = depthsOf(plan);
  const edges = plan.nodes.flatMap((n) =>
    n.dependsOn.filter((d) => depth.has(d)).map((d) => ({ from: d, to: n.id })),
  );
  const columns: Item[][] = [];
  const put = (c: number, item: Item) => {
    columns[c] = [...(columns[c] ?? []), item];
  };
  for (const node of plan.nodes) put(depth.get(node.id) ?? 0, { kind: "node", id: node.id });
  for (const e of edges)
    for (let c = (depth.get(e.from) ?? 0) + 1; c < (depth.get(e.to) ?? 0); c++)
      put(c, { kind: "via", ...e, column: c });
  order(columns, edges, depth);

  const longest = Math.max(
    ...plan.nodes.map((n) => Math.max(`${n.id} · ${states[n.id] ?? "pending"}`.length, n.title.length)),
  );
  const W = Math.round(Math.min(320, Math.max(180, 16 + CHAR * longest)));
  const at = new Map<string, Placed>();
  columns.forEach((items, c) => {
    let y = MARGIN;
    for (const item of items) {
      const h = item.kind === "node" ? H : VIA;
      at.set(keyOf(item), { x: MARGIN + c * (W + GAP_X), y, h });
      y += h + GAP_Y;
    }
  });
  const width = 2 * MARGIN + columns.length * (W + GAP_X) - GAP_X;
  const height =
    2 * MARGIN +
    Math.max(
      H,
      ...columns.map((items) => items.reduce((s, i) => s + (i.kind === "node" ? H : VIA) + GAP_Y, -GAP_Y)),
    );

  // Each edge's route: its box's right side, the lanes it passes, the next box's left side.
  const routes = edges.map((e) => {
    const lanes: Placed[] = [];
    for (let c = (depth.get(e.from) ?? 0) + 1; c < (depth.get(e.to) ?? 0); c++) {
      const lane = at.get(keyOf({ kind: "via", ...e, column: c }));
      if (lane) lanes.push(lane);
    }
    return { ...e, lanes };
  });
  const mid = (p: Placed) => p.y + p.h / 2;
  const firstY = (r: (typeof routes)[number]) => {
    const lane = r.lanes[0];
    return lane ? mid(lane) : mid(at.get(r.to) ?? { x: 0, y: 0, h: 0 });
  };
  const lastY = (r: (typeof routes)[number]) => {
    const lane = r.lanes.at(-1);
    return lane ? mid(lane) : mid(at.get(r.from) ?? { x: 0, y: 0, h: 0 });
  };
  const port = (box: Placed, i: number, of: number) => box.y + (box.h * (i + 1)) / (of + 1);
  const outPort = new Map<(typeof routes)[number], number>();
  const inPort = new Map<(typeof routes)[number], number>();
  for (const node of plan.nodes) {
    const box = at.get(node.id);
    if (!box) continue;
    const out = routes.filter((r) => r.from === node.id).sort((a, b) => firstY(a) - firstY(b));
    out.forEach((r, i) => {
      outPort.set(r, port(box, i, out.length));
    });
    const into = routes.filter((r) => r.to === node.id).sort((a, b) => lastY(a) - lastY(b));
    into.forEach((r, i) => {
      inPort.set(r, port(box, i, into.length));
    });
  }

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="dag" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    '<defs><marker id="arrow" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>',
  ];
  for (const r of routes) {
    const from = at.get(r.from);
    const to = at.get(r.to);
    if (!from || !to) continue;
    let x = from.x + W;
    let y = outPort.get(r) ?? mid(from);
    const d = [`M${x},${y}`];
    const hop = (nx: number, ny: number) => {
      const bend = (nx - x) / 2;
      d.push(`C${x + bend},${y} ${nx - bend},${ny} ${nx},${ny}`);
      x = nx;
      y = ny;
    };
    for (const lane of r.lanes) {
      hop(lane.x, mid(lane));
      x = lane.x + W;
      d.push(`L${x},${y}`);
    }
    hop(to.x, inPort.get(r) ?? mid(to));
    parts.push(
      `<path class="edge" data-from="${escapeHtml(r.from)}" data-to="${escapeHtml(r.to)}" d="${d.join(" ")}" fill="none" stroke="#555" marker-end="url(#arrow)"/>`,
    );
  }
  const clip = (text: string) => {
    const room = Math.floor((W - 16) / CHAR);
    return text.length > room ? `${text.slice(0, room - 1)}…` : text;
  };
  for (const node of plan.nodes) {
    const p = at.get(node.id);
    if (!p) continue;
    const status = states[node.id] ?? "pending";
    parts.push(
      `<g class="node" data-node="${escapeHtml(node.id)}"><title>${escapeHtml(`${node.id} · ${status}: ${node.title}`)}</title>`,
      `<rect x="${p.x}" y="${p.y}" width="${W}" height="${H}" rx="6" fill="${STATUS_FILL[status]}" stroke="#777"/>`,
      `<text x="${p.x + 8}" y="${p.y + 18}" font-weight="bold">${escapeHtml(clip(`${node.id} · ${status}`))}</text>`,
      `<text x="${p.x + 8}" y="${p.y + 34}">${escapeHtml(clip(node.title))}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

function depthsOf(plan: Plan): Map<string, number> {
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string> = new Set()): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle cannot pass validation; guard anyway
    seen.add(id);
    const node = plan.nodes.find((n) => n.id === id);
    const d =
      Math.max(
        -1,
        ...(node?.dependsOn ?? [])
          .filter((dep) => plan.nodes.some((n) => n.id === dep))
          .map((dep) => depthOf(dep, seen)),
      ) + 1;
    depth.set(id, d);
    return d;
  };
  for (const node of plan.nodes) depthOf(node.id);
  return depth;
}

/** A via's key names its column too: one long edge has a lane in each column it passes. */
function keyOf(item: Item): string {
  return item.kind === "node" ? item.id : `${item.from}>${item.to}@${item.column}`;
}

/**
 * Orders each column by the mean row of its items' neighbours in the column before (then, sweeping back, in
 * the column after): the usual barycentre heuristic, a few sweeps, ties kept in plan order.
 */
function order(columns: Item[][], edges: { from: string; to: string }[], depth: Map<string, number>): void {
  // The neighbours of an item in column c, in column c + side.
  const neighbours = (item: Item, c: number, side: -1 | 1): string[] => {
    const touching = (e: { from: string; to: string }) => {
      const start = depth.get(e.from) ?? 0;
      const end = depth.get(e.to) ?? 0;
      return c + side >= start && c + side <= end;
    };
    const at = (e: { from: string; to: string }, column: number) =>
      column === depth.get(e.from)
        ? e.from
        : column === depth.get(e.to)
          ? e.to
          : keyOf({ kind: "via", ...e, column });
    if (item.kind === "via") return [at(item, c + side)];
    return edges
      .filter((e) => (side === -1 ? e.to === item.id : e.from === item.id) && touching(e))
      .map((e) => at(e, c + side));
  };
  const sweep = (c: number, side: -1 | 1) => {
    const other = columns[c + side];
    const items = columns[c];
    if (!other || !items) return;
    const row = new Map(other.map((i, r) => [keyOf(i), r]));
    const current = new Map(items.map((i, r) => [keyOf(i), r]));
    const centre = (item: Item) => {
      const rows = neighbours(item, c, side)
        .map((k) => row.get(k))
        .filter((r) => r !== undefined);
      return rows.length === 0
        ? (current.get(keyOf(item)) ?? 0)
        : rows.reduce((s, r) => s + r, 0) / rows.length;
    };
    const centres = new Map(items.map((i) => [keyOf(i), centre(i)]));
    columns[c] = [...items].sort(
      (a, b) =>
        (centres.get(keyOf(a)) ?? 0) - (centres.get(keyOf(b)) ?? 0) ||
        (current.get(keyOf(a)) ?? 0) - (current.get(keyOf(b)) ?? 0),
    );
  };
  for (let round = 0; round < 3; round++) {
    for (let c = 1; c < columns.length; c++) sweep(c, -1);
    for (let c = columns.length - 2; c >= 0; c--) sweep(c, 1);
  }
}
