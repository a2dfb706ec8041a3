import { readMarker } from "../../domain/markers.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { IssueRef, NodeRecord } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { nodeIssueBody } from "./node-issue-body.js";
import { specKey } from "./run-memo.js";
import { notePushed } from "./run-whereabouts.js";
import { scanNodes } from "./scan-nodes.js";

/** The statuses a sub-issue shows while its node waits to be coded. */
const WAITING: readonly NodeStatus[] = ["pending", "ready"];

/**
 * One PATCH with the new body (status in text and marker) and state: closed when done, open otherwise.
 * A node that starts coding with nothing new to record (no revision's feedback, or the one its sub-issue
 * already holds) is marked running in the memo only, which the dashboard reads: its sub-issue keeps saying
 * it waits, and a run rebuilt from GitHub codes it again, as it would a running one. That saves a write per
 * node, and one per revised node.
 */
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
  const shown = known ? readMarker(known.body, "node") : null;
  // A revision's start is memo-only too once its sub-issue holds the feedback (sent back with it).
  if (
    status === "running" &&
    shown &&
    WAITING.includes(shown.status) &&
    (shown.revision ?? "") === (result?.revision ?? "")
  ) {
    await ctx.memo.write(specKey(spec), { [`running:${node.id}`]: "1" });
    return;
  }
  if (!(known && known.body === body && known.open === open))
    await ctx.octokit.rest.issues.update({
      owner: ctx.owner,
      repo: ctx.repo,
      issue_number: issue.number,
      body,
      state: open ? "open" : "closed",
      ...(open ? {} : { state_reason: status === "done" ? "completed" : "not_planned" }),
    });
  // This job's scan and the memo now hold what GitHub holds; the node no longer runs in the memo only.
  if (known) Object.assign(known, { body, open });
  await ctx.memo.write(specKey(spec), {
    ...(known ? { [`node:${node.id}`]: JSON.stringify(known) } : {}),
    [`running:${node.id}`]: null,
  });
  // A node is done once its branch is pushed: the run's branches are read without asking GitHub.
  if (status === "done" && result?.head) await notePushed(ctx, spec, branch, result.head);
}

/** The statuses of a loaded run with the memo's running nodes (whose sub-issues still say they wait). */
export function withRunning(
  states: Record<string, NodeStatus>,
  fields: Record<string, string>,
): Record<string, NodeStatus> {
  return Object.fromEntries(
    Object.entries(states).map(([id, s]) => [
      id,
      fields[`running:${id}`] && WAITING.includes(s) ? "running" : s,
    ]),
  );
}
