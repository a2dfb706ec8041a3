import { readMarker } from "../../domain/markers.js";
import type { LoadedRun } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { nodeMarkers, type RunSnapshot, readRunSnapshotRest } from "./run-snapshot.js";

/** Rebuilds a run from GitHub alone: the dashboard's marker, the node markers, the branches and the PR. */
export async function loadRun(ctx: GitHubContext, spec: number): Promise<LoadedRun | null> {
  ctx.nodeScans.delete(spec); // recovery reads what is there now
  const snapshot = await readRunSnapshotRest(ctx, spec);
  if (!snapshot) return null;
  ctx.nodeScans.set(spec, Promise.resolve(snapshot.scan));
  return assembleRun(spec, snapshot);
}

/** The run a snapshot holds, or null when its dashboard has no readable marker. */
export function assembleRun(spec: number, snapshot: RunSnapshot): LoadedRun | null {
  const meta = readMarker(snapshot.dashboard.text, "dashboard");
  if (meta?.spec !== spec) return null;
  const nodes = new Map(nodeMarkers(snapshot.scan).map((n) => [n.id, n]));
  // The dashboard's plan, once it has one: nodes of an earlier plan that a replan dropped are not the run's.
  const order = meta.nodeOrder.length > 0 ? meta.nodeOrder.filter((id) => nodes.has(id)) : [...nodes.keys()];
  const entries = order.flatMap((id) => {
    const entry = nodes.get(id);
    return entry ? [[id, entry] as const] : [];
  });
  const some = (pick: (m: (typeof entries)[number][1]["marker"]) => string | undefined) =>
    Object.fromEntries(
      entries.flatMap(([id, e]) => {
        const value = pick(e.marker);
        return value ? [[id, value]] : [];
      }),
    );
  return {
    spec,
    meta,
    plan: {
      summary: meta.summary,
      nodes: entries.map(([, e]) => e.marker.node),
      ...(meta.interfaces?.length ? { interfaces: meta.interfaces } : {}),
    },
    states: Object.fromEntries(entries.map(([id, e]) => [id, e.marker.status])),
    nodeIssues: Object.fromEntries(
      entries.map(([id, e]) => [id, { number: e.issue.number, id: e.issue.id, url: e.issue.url }]),
    ),
    summaries: some((m) => m.summary),
    handoffs: some((m) => m.handoff),
    revisions: some((m) => m.revision),
    nodeBranches: some((m) => m.branch),
    branches: snapshot.branches,
    pullRequest: snapshot.pullRequest,
  };
}
