import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import { readMarker } from "../../domain/markers.js";
import type { PullRequestRef } from "../../pipeline/forge.js";
import type { GitHubContext, NodeScan } from "./context.js";
import { dashboardOf } from "./ensure-dashboard-comment.js";
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

/** The snapshot through REST: the spec's comments, its node issues, the matching refs, the open PR. */
export async function readRunSnapshotRest(ctx: GitHubContext, spec: number): Promise<RunSnapshot | null> {
  const { octokit, owner, repo } = ctx;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: spec,
    per_page: 100,
  });
  const dashboard = dashboardOf(spec, comments);
  if (!dashboard) return null;
  const scan = await readNodeScan(ctx, spec);
  const { data: refs } = await octokit.rest.git.listMatchingRefs({
    owner,
    repo,
    ref: `heads/swarm/${spec}-`,
  });
  const branches = Object.fromEntries(refs.map((r) => [r.ref.replace(/^refs\/heads\//, ""), r.object.sha]));
  const integration = findIntegrationBranch(Object.keys(branches));
  let pullRequest: PullRequestRef | null = null;
  if (integration) {
    const { data } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: `${owner}:${integration}`,
      state: "open",
      per_page: 1,
    });
    const pr = data[0];
    if (pr)
      pullRequest = { number: pr.number, url: pr.html_url, headSha: pr.head.sha, draft: pr.draft ?? false };
  }
  return { dashboard, scan, branches, pullRequest };
}

/** The node marker of each node issue the snapshot holds. */
export function nodeMarkers(scan: NodeScan) {
  return [...scan.byNode].flatMap(([id, issue]) => {
    const marker = readMarker(issue.body, "node");
    return marker ? [{ id, issue, marker }] : [];
  });
}
