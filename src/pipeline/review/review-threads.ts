import { findNodeBranch } from "../../domain/branch/branch-names.js";
import type { Ledger } from "../../domain/budget/budget.js";
import type { DashboardMarker } from "../../domain/markers.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, LoadedRun } from "../forge.js";

export type ThreadRecord = NonNullable<DashboardMarker["threads"]>[number];

/** The dashboard's marker keeps the newest threads awaiting a reply, so a PR with many stays within bounds. */
export const MAX_RECORDED_THREADS = 50;

/** The recorded threads with `added` after them (one record per comment: a retried job adds none twice). */
export function withThreads(
  current: readonly ThreadRecord[] | undefined,
  added: readonly ThreadRecord[],
): ThreadRecord[] {
  const fresh = added.filter((a) => !(current ?? []).some((c) => c.comment === a.comment));
  return [...(current ?? []), ...fresh].slice(-MAX_RECORDED_THREADS);
}

/**
 * Records the line comments a revision answers, with each node's branch as it is before the revision. Meant
 * for after the nodes are marked pending and before they run: an integration that reads the record then
 * merges the revision (its nodes are done), and none that merges older work can. Deferred: the caller's
 * next dashboard write carries it to GitHub (or its `settleDashboard`).
 */
export async function recordThreads(
  forge: Forge,
  input: {
    spec: number;
    headSha: string;
    round: number;
    ledger: Ledger | null;
    run: Pick<LoadedRun, "branches" | "nodeBranches">;
  },
  headline: string,
  threads: readonly Omit<ThreadRecord, "round" | "sha">[],
): Promise<void> {
  const records = threads.map((t) => {
    const branch = input.run.nodeBranches[t.node] ?? findNodeBranch(Object.keys(input.run.branches), t.node);
    const sha = input.run.branches[branch];
    return { ...t, round: input.round, ...(sha ? { sha } : {}) };
  });
  await refreshDashboard(forge, input.spec, {
    ifHead: input.headSha,
    headline,
    ledger: input.ledger,
    meta: (current) => ({ threads: withThreads(current.threads, records) }),
    // Where the stages read it at once; GitHub's comment gets it with the "revising" write that follows.
    deferred: true,
  });
}

/**
 * After the integrator pushed `headSha`: each thread recorded when the run was read gets a reply naming the
 * commit and the node, and is resolved. A node whose branch is where it was when it was sent back changed
 * nothing for its threads, so they are left open. Returns the comments dealt with, to drop from the record.
 * The reply is keyed by the comment, so each request is answered once, whatever is retried.
 */
export async function closeAddressedThreads(
  forge: Forge,
  run: Pick<LoadedRun, "meta" | "branches" | "nodeBranches">,
  pullNumber: number,
  headSha: string,
): Promise<{ handled: number[]; failed: string | null }> {
  const recorded = run.meta.threads ?? [];
  if (recorded.length === 0) return { handled: [], failed: null };
  const changed = recorded.filter((t) => {
    const branch = run.nodeBranches[t.node] ?? findNodeBranch(Object.keys(run.branches), t.node);
    return !t.sha || run.branches[branch] !== t.sha;
  });
  try {
    await forge.closeReviewThreads(
      pullNumber,
      changed.map((t) => ({
        commentId: t.comment,
        key: `addressed-${t.comment}`,
        body: [
          `Addressed in ${headSha} by node \`${t.node}\` (${t.asker ? `asked by @${t.asker}` : `revision round ${t.round}`}).`,
          "",
          "<sub>swarm resolved this thread when it pushed that commit. If it is not fixed, reply `/swarm revise <what is still wrong>`.</sub>",
        ].join("\n"),
      })),
    );
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return {
      handled: [],
      failed: `${error instanceof Error ? error.name : "error"}${typeof status === "number" ? ` (HTTP ${status})` : ""}`,
    };
  }
  return { handled: recorded.map((t) => t.comment), failed: null };
}
