import { IllegalTransitionError } from "../errors.js";

export const RUN_STATUSES = [
  "planning",
  "planned",
  "awaiting-approval",
  "coding",
  "integrating",
  "reviewing",
  "revising",
  "green",
  "unverified",
  "failed",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * Allowed moves of a run: plan → code → integrate → review, looping through revising until green.
 * `unverified` ends a run whose checks all passed without one of them verifying anything (none are
 * configured, or every one was skipped or neutral): it is never shown as green.
 * `planned` is a dry run (`/swarm plan`). `awaiting-approval` is a laid-out plan whose nodes wait for a
 * person with write access to approve it (`limits.approval`); `/swarm approve` sends it to coding. `/swarm replan` sends a run back to planning, `/swarm retry`
 * back to coding, and `/swarm revise` sends a finished run back to revising.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  planning: ["planned", "awaiting-approval", "coding", "failed", "cancelled"],
  planned: ["planning", "coding", "cancelled"],
  "awaiting-approval": ["planning", "coding", "cancelled"],
  coding: ["integrating", "failed", "cancelled"],
  integrating: ["reviewing", "failed", "cancelled"],
  reviewing: ["green", "unverified", "revising", "failed", "cancelled"],
  revising: ["coding", "integrating", "failed", "cancelled"],
  green: ["revising"],
  unverified: ["reviewing", "revising", "coding"],
  failed: ["planning", "coding", "revising"],
  cancelled: ["planning", "coding"],
};

/** Returns `to` when the move is allowed; throws IllegalTransitionError otherwise. */
export function transitionRun(from: RunStatus, to: RunStatus): RunStatus {
  if (RUN_TRANSITIONS[from].includes(to)) return to;
  throw new IllegalTransitionError({
    problem: `A run cannot go from ${from} to ${to}.`,
    fix: `From ${from} a run may go to: ${RUN_TRANSITIONS[from].join(", ")}. This is a bug in swarm; report it.`,
  });
}
