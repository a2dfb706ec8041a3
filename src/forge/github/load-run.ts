import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import { readMarker } from "../../domain/markers.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { IssueRef, LoadedRun } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { scanNodes } from "./scan-nodes.js";

/** Rebuilds a run from GitHub alone: the dashboard's marker, the node markers, the branches and the PR. */
export async function loadRun(ctx: GitHubContext, spec: number): Promise<LoadedRun | null> {
  const { octokit, owner, repo } = ctx;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: spec,
    per_page: 100,
  });
  const meta = comments.map((c) => readMarker(c.body, "dashboard")).find((m) => m?.spec === spec);
  if (!meta) return null;

  ctx.nodeScans.delete(spec); // recovery reads what is there now
  const scan = await scanNodes(ctx, spec);
  const nodes = new Map<
    string,
    {
      node: PlanNode;
      status: NodeStatus;
      issue: IssueRef;
      branch: string;
      summary?: string;
      handoff?: string;
      revision?: string;
    }
  >();
  for (const [id, issue] of scan.byNode) {
    const marker = readMarker(issue.body, "node");
    if (marker)
      nodes.set(id, {
        node: marker.node,
        status: marker.status,
        branch: marker.branch,
        issue: { number: issue.number, id: issue.id, url: issue.url },
        ...(marker.summary ? { summary: marker.summary } : {}),
        ...(marker.handoff ? { handoff: marker.handoff } : {}),
        ...(marker.revision ? { revision: marker.revision } : {}),
      });
  }
  // The dashboard's plan, once it has one: nodes of an earlier plan that a replan dropped are not the run's.
  const order = [
    ...meta.nodeOrder.filter((id) => nodes.has(id)),
    ...(meta.nodeOrder.length > 0 ? [] : [...nodes.keys()].filter((id) => !meta.nodeOrder.includes(id))),
  ];

  const { data: refs } = await octokit.rest.git.listMatchingRefs({
    owner,
    repo,
    ref: `heads/swarm/${spec}-`,
  });
  const branches = Object.fromEntries(refs.map((r) => [r.ref.replace(/^refs\/heads\//, ""), r.object.sha]));
  const integration = findIntegrationBranch(Object.keys(branches));
  let pullRequest: LoadedRun["pullRequest"] = null;
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

  const entries = order.flatMap((id) => {
    const entry = nodes.get(id);
    return entry ? [[id, entry] as const] : [];
  });
  return {
    spec,
    meta,
    plan: {
      summary: meta.summary,
      nodes: entries.map(([, e]) => e.node),
      ...(meta.interfaces?.length ? { interfaces: meta.interfaces } : {}),
    },
    states: Object.fromEntries(entries.map(([id, e]) => [id, e.status])),
    nodeIssues: Object.fromEntries(entries.map(([id, e]) => [id, e.issue])),
    summaries: Object.fromEntries(entries.flatMap(([id, e]) => (e.summary ? [[id, e.summary]] : []))),
    handoffs: Object.fromEntries(entries.flatMap(([id, e]) => (e.handoff ? [[id, e.handoff]] : []))),
    revisions: Object.fromEntries(entries.flatMap(([id, e]) => (e.revision ? [[id, e.revision]] : []))),
    nodeBranches: Object.fromEntries(entries.flatMap(([id, e]) => (e.branch ? [[id, e.branch]] : []))),

    branches,
    pullRequest,
  };
}
