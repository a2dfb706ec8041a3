import { readMarker } from "../../domain/markers.js";
import type { LoadedRun, LoadRunOptions } from "../../pipeline/forge.js";
import { type GitHubContext, graphqlErrors } from "./context.js";
import { findDashboard, memoDashboard, withAhead } from "./ensure-dashboard-comment.js";
import { specKey } from "./run-memo.js";
import {
  nodeMarkers,
  type RunReading,
  type RunSnapshot,
  readRunSnapshotRest,
  snapshotOf,
} from "./run-snapshot.js";
import { readRunSnapshotGraphql } from "./run-snapshot-graphql.js";
import { readWhereabouts, replaceWhereabouts } from "./run-whereabouts.js";
import { fieldsOfScan, scanOfMemo } from "./scan-nodes.js";
import { withRunning } from "./set-node-status.js";

/**
 * The run of a spec: from the memo while it holds the run (with the branches and the open PR, which people
 * may change, read from GitHub once they moved: see `readWhereabouts`), else rebuilt from GitHub alone and
 * remembered. `rebuild` rebuilds it in
 * any case (`/swarm status`: what GitHub says is what is).
 */
export async function loadRun(
  ctx: GitHubContext,
  spec: number,
  options: LoadRunOptions = {},
): Promise<LoadedRun | null> {
  ctx.nodeScans.delete(spec); // read what is there now
  const fields = await ctx.memo.read(specKey(spec));
  const scan = options.rebuild ? null : scanOfMemo(fields);
  const dashboard =
    options.rebuild || !scan
      ? null
      : (memoDashboard(fields) ?? withAhead(await findDashboard(ctx, spec), fields));
  let snapshot: RunSnapshot | null;
  if (scan && dashboard) {
    const where = options.nodesOnly
      ? { branches: {}, pullRequest: null }
      : await readWhereabouts(ctx, spec, fields, options.recheck);
    snapshot = { dashboard, scan, ...where };
  } else {
    const reading = await rebuildSnapshot(ctx, spec);
    snapshot = snapshotOf(reading);
    if (!snapshot) {
      if (reading) await keepNoRun(ctx, spec, fields, reading);
      return null;
    }
    await replaceWhereabouts(ctx.memo, spec, fields, snapshot);
    await ctx.memo.write(specKey(spec), {
      ...fieldsOfScan(snapshot.scan, fields),
      dashboard: JSON.stringify(snapshot.dashboard),
      "?dashboard": null,
    });
    // A deferred step (the plan kept while it is laid out, say) is newer than GitHub's comment.
    snapshot = { ...snapshot, dashboard: withAhead(snapshot.dashboard, fields) };
  }
  ctx.nodeScans.set(spec, Promise.resolve(snapshot.scan));
  const run = assembleRun(spec, snapshot);
  return run && { ...run, states: withRunning(run.states, fields) };
}

/**
 * What GitHub holds of the run, in one GraphQL query where REST needs five requests or more. A GitHub whose
 * GraphQL API refuses the query (an older GitHub Enterprise Server without sub-issues, say) is read through
 * REST instead.
 */
async function rebuildSnapshot(ctx: GitHubContext, spec: number): Promise<RunReading | null> {
  if (ctx.rebuildWith === "rest") return readRunSnapshotRest(ctx, spec);
  try {
    return await readRunSnapshotGraphql(ctx, spec);
  } catch (error) {
    const errors = graphqlErrors(error);
    if (!errors) throw error;
    // No such issue: no run. Any other (a field or argument an older GitHub lacks): REST, then.
    if (errors.length > 0 && errors.every((e) => e.type === "NOT_FOUND")) return null;
    return readRunSnapshotRest(ctx, spec);
  }
}

/**
 * What a rebuild that found no run read is kept for the run about to start: the node issues and branches
 * there are, and the node ids a node issue is created with; and, for this job alone, that there is no
 * dashboard yet (another job may make one meanwhile: only the plan job, holding the run's plan lock, makes
 * one). So laying out the run asks GitHub for none of it again. Unsure marks (a killed job's creates that
 * may yet land) leave the scan unkept.
 */
async function keepNoRun(
  ctx: GitHubContext,
  spec: number,
  before: Record<string, string>,
  reading: RunReading,
): Promise<void> {
  const unsure = Object.keys(before).some((f) => f.startsWith("?"));
  await ctx.memo.write(specKey(spec), {
    ...(unsure ? {} : fieldsOfScan(reading.scan, before)),
    ...(reading.ids ? { ids: JSON.stringify(reading.ids) } : {}),
  });
  if (!unsure && before.dashboard === undefined) ctx.noDashboard.add(spec);
  await replaceWhereabouts(ctx.memo, spec, before, reading);
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
