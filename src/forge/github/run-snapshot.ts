import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import { readMarker } from "../../domain/markers.js";
import type { PullRequestRef } from "../../pipeline/forge.js";
import { type GitHubContext, type NodeScan, pullRequestRef } from "./context.js";
import type { NodeIds } from "./create-node-issue-graphql.js";
import { dashboardOf } from "./ensure-dashboard-comment.js";
import { listIssueComments } from "./repository-reads.js";
import { readNodeScan } from "./scan-nodes.js";

/**
 * Everything of a spec's run that GitHub holds: its dashboard comment, its node issues, the run's branches
 * and the open PR. Read to rebuild a run (Redis lost, a worker that never saw it, `/swarm status`).
 */
export type RunSnapshot = {
  dashboard: { id: number; url: string; text: string };
  scan: NodeScan;
  /** Branch name (`swarm/<spec>-…`) → head sha. */
  branches: Record<string, string>;
  pullRequest: PullRequestRef | null;
};

/**
 * What a rebuild read: a snapshot, or, with no dashboard (no run), the rest of it, for the run about to
 * start; through GraphQL, with the node ids a node issue is created with.
 */
export type RunReading = Omit<RunSnapshot, "dashboard"> & {
  dashboard: RunSnapshot["dashboard"] | null;
  ids?: NodeIds;
};

/** The run's snapshot in a reading, or null when it found no run. */
export function snapshotOf(reading: RunReading | null): RunSnapshot | null {
  if (!reading?.dashboard) return null;
  const { dashboard, scan, branches, pullRequest } = reading;
  return { dashboard, scan, branches, pullRequest };
}

/** The snapshot through REST: the spec's comments, its node issues, the matching refs, the open PR. */
export async function readRunSnapshotRest(ctx: GitHubContext, spec: number): Promise<RunSnapshot | null> {
  const dashboard = dashboardOf(spec, await listIssueComments(ctx, spec));
  if (!dashboard) return null;
  const scan = await readNodeScan(ctx, spec);
  const branches = await readBranches(ctx, spec);
  const pullRequest = await readOpenPull(ctx, branches);
  return { dashboard, scan, branches, pullRequest };
}

/** The node marker of each node issue the snapshot holds. */
export function nodeMarkers(scan: NodeScan) {
  return [...scan.byNode].flatMap(([id, issue]) => {
    const marker = readMarker(issue.body, "node");
    return marker ? [{ id, issue, marker }] : [];
  });
}

/** The run's branches (`swarm/<spec>-…`) and their heads. */
export async function readBranches(ctx: GitHubContext, spec: number): Promise<Record<string, string>> {
  const { data: refs } = await ctx.octokit.rest.git.listMatchingRefs({
    owner: ctx.owner,
    repo: ctx.repo,
    ref: `heads/swarm/${spec}-`,
  });
  return Object.fromEntries(refs.map((r) => [r.ref.replace(/^refs\/heads\//, ""), r.object.sha]));
}

/** The open PR from the run's integration branch, if there is one. */
export async function readOpenPull(
  ctx: GitHubContext,
  branches: Record<string, string>,
): Promise<PullRequestRef | null> {
  const integration = findIntegrationBranch(Object.keys(branches));
  if (!integration) return null;
  const { data } = await ctx.octokit.rest.pulls.list({
    owner: ctx.owner,
    repo: ctx.repo,
    head: `${ctx.owner}:${integration}`,
    state: "open",
    per_page: 100, // not 1: a full page is read afresh, any other is revalidated (a 304)
  });
  const pr = data[0];
  return pr ? pullRequestRef(pr) : null;
}
