import { renderMarker } from "../../domain/markers.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { NodeRecord } from "../../pipeline/forge.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";

/** A node's sub-issue: readable for people, with the node itself in a hidden marker for swarm. */
export function nodeIssueBody(
  spec: number,
  node: PlanNode,
  status: NodeStatus,
  branch: string,
  result?: NodeRecord,
): string {
  const summary = result?.summary;
  const handoff = result?.handoff;
  const revision = status === "done" ? undefined : result?.revision;
  const report = status === "done" ? result?.report : undefined;
  const list = (items: readonly string[], code = false) =>
    items.map((i) => `- ${code ? `\`${i}\`` : i}`).join("\n") || "- (none)";
  const text = [
    `Part of #${spec}, planned by swarm. **Status: ${status}** · role: ${node.role} · size: ${node.size} · branch: \`${branch}\``,
    "",
    "### Goal",
    node.goal,
    "",
    "### Owns",
    list(node.owns, true),
    "",
    "### Depends on",
    list(node.dependsOn, true),
    "",
    "### Acceptance",
    node.acceptance.map((a) => `- [${status === "done" ? "x" : " "}] ${a}`).join("\n"),
    ...(report ? ["", "### Result", report] : []),
    ...(summary ? ["", "### What was done", summary] : []),
    ...(handoff ? ["", "### For the nodes that depend on this one", handoff] : []),
    ...(revision ? ["", "### Being revised", revision] : []),
    "",
    renderMarker("node", {
      v: 1,
      spec,
      node,
      status,
      branch,
      ...(summary ? { summary } : {}),
      ...(handoff ? { handoff } : {}),
      ...(revision ? { revision } : {}),
    }),
  ].join("\n");
  return fitText(text, MAX_ISSUE_BODY);
}
