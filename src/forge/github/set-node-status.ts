import type { PlanNode } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { IssueRef, NodeRecord } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { nodeIssueBody } from "./node-issue-body.js";
import { scanNodes } from "./scan-nodes.js";

/** One PATCH with the new body (status in text and marker) and state: closed when done, open otherwise. */
export async function setNodeStatus(
  ctx: GitHubContext,
  issue: IssueRef,
  spec: number,
  node: PlanNode,
  status: NodeStatus,
  branch: string,
  result?: NodeRecord,
): Promise<void> {
  const body = nodeIssueBody(spec, node, status, branch, result);

  const open = status !== "done" && status !== "cancelled";
  const known = (await scanNodes(ctx, spec)).byNode.get(node.id);
  if (known && known.body === body && known.open === open) return;
  await ctx.octokit.rest.issues.update({
    owner: ctx.owner,
    repo: ctx.repo,
    issue_number: issue.number,
    body,
    state: open ? "open" : "closed",
    ...(open ? {} : { state_reason: status === "done" ? "completed" : "not_planned" }),
  });
  if (known) Object.assign(known, { body, open });
}
