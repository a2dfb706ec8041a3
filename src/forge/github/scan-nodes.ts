import { readMarker } from "../../domain/markers.js";
import { type GitHubContext, issueRef, NODE_LABEL, type NodeScan } from "./context.js";

/**
 * Finds the spec's node issues: its sub-issues, and any labelled node issue whose marker names the spec
 * (one created just before a crash, before it was linked). Done once per spec, then kept current.
 */
export function scanNodes(ctx: GitHubContext, spec: number): Promise<NodeScan> {
  let scan = ctx.nodeScans.get(spec);
  if (!scan) {
    scan = readNodeScan(ctx, spec);
    ctx.nodeScans.set(spec, scan);
    // A failed scan is not kept, so the next call tries again.
    scan.catch(() => ctx.nodeScans.delete(spec));
  }
  return scan;
}

/** The scan itself, from GitHub: the spec's sub-issues and the labelled node issues. */
export async function readNodeScan(ctx: GitHubContext, spec: number): Promise<NodeScan> {
  const { octokit, owner, repo } = ctx;
  const [subs, labelled] = await Promise.all([
    octokit.paginate(octokit.rest.issues.listSubIssues, {
      owner,
      repo,
      issue_number: spec,
      per_page: 100,
    }),
    octokit.paginate(octokit.rest.issues.listForRepo, {
      owner,
      repo,
      labels: NODE_LABEL,
      state: "all",
      per_page: 100,
    }),
  ]);
  const byNode: NodeScan["byNode"] = new Map();
  for (const issue of [...subs, ...labelled]) {
    const marker = readMarker(issue.body, "node");
    if (!marker || marker.spec !== spec || byNode.has(marker.node.id)) continue;
    byNode.set(marker.node.id, {
      ...issueRef(issue),
      body: issue.body ?? "",
      open: issue.state === "open",
    });
  }
  return { byNode, subIssueIds: new Set(subs.map((s) => s.id)) };
}

/** The labelled issue of one node of the spec as GitHub holds it now (for a create whose answer was lost). */
export async function findNodeIssue(
  ctx: GitHubContext,
  spec: number,
  nodeId: string,
): Promise<(ReturnType<typeof issueRef> & { body: string; open: boolean }) | null> {
  const { octokit, owner, repo } = ctx;
  const labelled = await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    labels: NODE_LABEL,
    state: "all",
    per_page: 100,
  });
  const issue = labelled.find((i) => {
    const marker = readMarker(i.body, "node");
    return marker?.spec === spec && marker.node.id === nodeId;
  });
  return issue ? { ...issueRef(issue), body: issue.body ?? "", open: issue.state === "open" } : null;
}
