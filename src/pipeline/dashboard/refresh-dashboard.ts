import { nodeBranchesOf } from "../../domain/branch/branch-names.js";
import type { Ledger } from "../../domain/budget/budget.js";
import type { DashboardMarker } from "../../domain/markers.js";
import type { RunStatus } from "../../domain/state/run-status.js";
import type { Forge } from "../forge.js";
import { renderDashboard } from "./render-dashboard.js";

type MetaChange = Partial<
  Pick<
    DashboardMarker,
    "round" | "reviewedSha" | "tried" | "targeted" | "standing" | "reruns" | "weakened" | "threads"
  >
>;

/**
 * Rebuilds the spec's dashboard from GitHub alone (markers, sub-issues, branches, PR), so any worker can
 * refresh it, even one that did not write it. Sets the run's status when `status` is given.
 */
export async function refreshDashboard(
  forge: Forge,
  spec: number,
  options: {
    headline?: string;
    status?: RunStatus;
    note?: string;
    ledger?: Ledger | null;
    /**
     * Changes to the run's record in the dashboard's marker (the review round, say), or a function of the
     * record as it is now, for a change to a list that another job may have added to since this one read it.
     */
    meta?: MetaChange | ((current: DashboardMarker) => MetaChange);
    /** Write only while the run is in one of these statuses (so a late refresh cannot undo a later step). */
    ifStatus?: readonly RunStatus[];
    /**
     * Set the status and headline only while the PR's head is this commit: once the run has moved past it
     * (merged again, even reviewed green), a late write records its `meta` and leaves the status alone.
     */
    ifHead?: string;
    /** Write nothing once every node is done (the merge that follows says so). */
    unlessAllDone?: boolean;
    /** A step the next write follows within seconds: see `Forge.ensureDashboardComment`. */
    deferred?: boolean;
  } = {},
): Promise<boolean> {
  if (options.unlessAllDone) {
    const nodes = await forge.loadRun(spec, { nodesOnly: true });
    if (nodes?.plan.nodes.every((n) => nodes.states[n.id] === "done")) return true;
  }
  const run = await forge.loadRun(spec);
  if (!run) return false;
  if (options.ifStatus && !options.ifStatus.includes(run.meta.status)) return true;
  const moved = options.ifHead !== undefined && run.pullRequest?.headSha !== options.ifHead;
  const asked = moved ? { ...options, status: run.meta.status, headline: undefined } : options;
  const states = run.states;
  const total = run.plan.nodes.length;
  const count = (s: string) => run.plan.nodes.filter((n) => states[n.id] === s).length;
  const failed = run.plan.nodes.filter((n) => states[n.id] === "failed").map((n) => `\`${n.id}\``);
  const progress = `${count("done")} of ${total} nodes done${count("running") > 0 ? `, ${count("running")} running` : ""}`;
  const headline =
    asked.headline ??
    (failed.length > 0
      ? `${progress}. ${failed.join(", ")} failed (its sub-issue has the last failures); the nodes that depend on it are blocked, the others go on.`
      : `${progress}${asked.note ? ` (${asked.note})` : ""}.`);
  // Derived from the nodes once all have finished, so the last refresh is right whatever ran before it.
  const finished = run.plan.nodes.every((n) =>
    ["done", "failed", "blocked", "cancelled"].includes(states[n.id] ?? "pending"),
  );
  const derived: RunStatus | undefined = !finished
    ? undefined
    : count("cancelled") > 0
      ? "cancelled"
      : count("failed") + count("blocked") > 0
        ? "failed"
        : undefined;
  const status = asked.status ?? derived ?? run.meta.status;
  const branches = nodeBranchesOf(
    run.plan.nodes.map((n) => n.id),
    Object.keys(run.branches),
  );
  const since =
    status === run.meta.status && run.meta.statusSince ? run.meta.statusSince : new Date().toISOString();
  const body = renderDashboard({
    spec,
    status,
    since,
    dryRun: run.meta.dryRun ?? false,
    headline,
    plan: run.plan,
    states,
    nodeIssues: run.nodeIssues,
    branches,
    ledger: options.ledger ?? null,
    estimate: run.meta.estimate ?? null,
    ...(run.pullRequest ? { pullRequestUrl: run.pullRequest.url } : {}),
  });
  // The pending plan is the plan stage's own, while it lays the plan out; every later write drops it.
  const { pendingPlan: _laidOut, ...meta } = run.meta;
  const change = typeof options.meta === "function" ? options.meta(run.meta) : options.meta;
  await forge.ensureDashboardComment(
    spec,
    body,
    { ...meta, ...change, status, statusSince: since },
    options.deferred ? { deferred: true } : {},
  );

  return true;
}
