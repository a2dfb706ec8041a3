import { globsOverlap } from "./globs-overlap.js";
import type { PlanNode } from "./plan.js";

export type WriteVerdict = { ok: true } | { ok: false; reason: string };

/** Whether a node's coder may change `path`: only files the node owns, and never a protected path. */
export function mayWrite(
  node: Pick<PlanNode, "id" | "owns">,
  path: string,
  protectedPaths: readonly string[],
): WriteVerdict {
  const guard = protectedPaths.find((p) => globsOverlap(p, path) !== null);
  if (guard) {
    return {
      ok: false,
      reason: `\`${path}\` is protected by the repository's configuration (protectedPaths: \`${guard}\`): agents may not change it. If it needs a change, say so in your summary for a person to make.`,
    };
  }
  if (node.owns.some((pattern) => globsOverlap(pattern, path) !== null)) return { ok: true };
  return {
    ok: false,
    reason: `Node "${node.id}" may change only the files it owns (${node.owns.map((o) => `\`${o}\``).join(", ")}), and \`${path}\` is not one of them. If it needs a change, write a handoff note in your final summary for the node that owns it.`,
  };
}
