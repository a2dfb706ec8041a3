import { readMarker } from "../../domain/markers.js";
import { type GitHubContext, issueRef, NODE_LABEL, type NodeIssue, type NodeScan } from "./context.js";
import { specKey, unsure } from "./run-memo.js";

/**
 * Finds the spec's node issues: its sub-issues, and any labelled node issue whose marker names the spec
 * (one created just before a crash, before it was linked). Read from the memo when it holds them all, else
 * from GitHub once (and remembered), then kept current.
 */
export function scanNodes(ctx: GitHubContext, spec: number): Promise<NodeScan> {
  let scan = ctx.nodeScans.get(spec);
  if (!scan) {
    scan = (async () => {
      const before = await ctx.memo.read(specKey(spec));
      const remembered = scanOfMemo(before);
      if (remembered) return remembered;
      const read = await readNodeScan(ctx, spec);
      await ctx.memo.write(specKey(spec), fieldsOfScan(read, before));
      return read;
    })();
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
  return nodeScanOf(spec, subs, labelled);
}

type ListedIssue = { id: number; number: number; html_url: string; body?: string | null; state: string };

/** The scan from the spec's sub-issues and the labelled issues: the first issue of each node of the spec. */
export function nodeScanOf(
  spec: number,
  subs: readonly ListedIssue[],
  labelled: readonly ListedIssue[],
): NodeScan {
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
): Promise<NodeIssue | null> {
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

/** The spec's node issues as the memo holds them, when it holds them all (a whole scan was recorded). */
export function scanOfMemo(fields: Record<string, string>): NodeScan | null {
  if (fields.scanned !== "1" || unsure(fields, "node:") || unsure(fields, "sub:")) return null;
  const byNode: NodeScan["byNode"] = new Map();
  const subIssueIds = new Set<number>();
  for (const [field, value] of Object.entries(fields)) {
    if (field.startsWith("node:")) byNode.set(field.slice(5), JSON.parse(value) as NodeIssue);
    if (field.startsWith("sub:")) subIssueIds.add(Number(field.slice(4)));
  }
  return { byNode, subIssueIds };
}

/**
 * The fields that record a whole scan read from GitHub, settling the unsure marks of `before` (the record
 * as it was when the scan began: what those writes made, the scan found).
 */
export function fieldsOfScan(
  scan: NodeScan,
  before: Record<string, string> = {},
): Record<string, string | null> {
  return {
    ...Object.fromEntries(
      Object.keys(before)
        .filter((f) => f.startsWith("?node:") || f.startsWith("?sub:"))
        .map((f) => [f, null]),
    ),
    scanned: "1",
    ...Object.fromEntries([...scan.byNode].map(([id, issue]) => [`node:${id}`, JSON.stringify(issue)])),
    ...Object.fromEntries([...scan.subIssueIds].map((id) => [`sub:${id}`, "1"])),
  };
}
