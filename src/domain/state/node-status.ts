import { IllegalTransitionError } from "../errors.js";

export const NODE_STATUSES = [
  "pending",
  "ready",
  "running",
  "done",
  "failed",
  "blocked",
  "cancelled",
] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/**
 * Allowed moves of a node. `running → ready` requeues a node whose worker died; `done → ready` is a
 * revision; `done/ready → pending` follows a dependency that went back for revision; `failed → ready` is
 * a retry, which also sends `blocked` dependents back to `pending`; `cancelled → pending` is a retry after
 * a cancel.
 */
export const NODE_TRANSITIONS: Readonly<Record<NodeStatus, readonly NodeStatus[]>> = {
  pending: ["ready", "blocked", "cancelled"],
  ready: ["running", "pending", "blocked", "cancelled"],
  running: ["done", "failed", "ready", "cancelled"],
  done: ["ready", "pending"],
  failed: ["ready", "cancelled"],
  blocked: ["pending", "cancelled"],
  cancelled: ["pending"],
};

/** Returns `to` when the move is allowed; throws IllegalTransitionError otherwise. */
export function transitionNode(from: NodeStatus, to: NodeStatus, nodeId = "node"): NodeStatus {
  if (NODE_TRANSITIONS[from].includes(to)) return to;
  throw new IllegalTransitionError({
    problem: `Node "${nodeId}" cannot go from ${from} to ${to}.`,
    fix: `From ${from} a node may go to: ${NODE_TRANSITIONS[from].join(", ") || "nothing"}. This is a bug in swarm; report it.`,
  });
}
