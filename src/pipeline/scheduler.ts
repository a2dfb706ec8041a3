import type { Plan, PlanNode } from "../domain/plan/plan.js";
import type { NodeStatus } from "../domain/state/node-status.js";

// The scheduler's contract, kept by the BullMQ one (many workers on one Redis) and the in-process one (the
// local CLI). One contract test suite runs against both.

export type NodeOutcome = "done" | "failed" | "cancelled";

export type NodeTask = {
  runId: string;
  node: PlanNode;
  /** What the run was started with (installation, repository, spec): opaque to the scheduler. */
  context: unknown;
  /** Checked by the coder between turns, so a cancelled run stops at the next turn. */
  isCancelled(): Promise<boolean>;
  /** 0 for a node's first attempt; more when an earlier attempt threw (and may have said so). */
  attempt?: number;
  /** The run was taken up from the forge: the node may have finished meanwhile, so the runner checks. */
  adopted?: boolean;
  /** Set when the node runs again after it was done: what it must change (a review, a person's request). */
  revision?: { feedback: string };
};

/**
 * Codes one node. Returning "failed" is final (the checks still fail at the limits); throwing is a fault
 * that may pass, so the node is retried, and fails once its attempts are used up.
 */
export type NodeRunner = (task: NodeTask) => Promise<NodeOutcome>;

export type RunStart = {
  runId: string;
  plan: Plan;
  /** At most this many of the run's nodes are coded at once. */
  maxParallel: number;
  /** Higher runs first: the weight of the heaviest chain starting at the node (criticalPath's tail). */
  priorities: Readonly<Record<string, number>>;
  context: unknown;
};

export type NodeEvent = { runId: string; nodeId: string; status: NodeStatus; at: number };

export type Scheduler = {
  /** Starts a run (again: starting a run that exists changes nothing). */
  start(run: RunStart): Promise<void>;
  /**
   * Takes up a run the scheduler does not hold (its Redis was lost; another process started it) at the
   * states the forge shows: finished nodes stay finished, the others start once their dependencies are
   * done. True when it was taken up; false when the scheduler holds the run already (nothing changes).
   */
  adopt(
    run: RunStart,
    states: Readonly<Record<string, NodeStatus>>,
    /** Per node, the revision it was on (its feedback), for nodes adopted part-way through a revision. */
    feedback?: Readonly<Record<string, string>>,
  ): Promise<boolean>;
  /** Whether the scheduler holds the run (false after its state was lost). */
  knows(runId: string): Promise<boolean>;
  states(runId: string): Promise<Record<string, NodeStatus>>;
  /** Removes queued work; running nodes stop at their next turn. */
  cancel(runId: string): Promise<void>;
  /** Resolves when every node is done, failed, blocked or cancelled. */
  settled(runId: string): Promise<Record<string, NodeStatus>>;
  /**
   * Runs `nodes` again (a revision, a retry), each with its feedback (null for none), in dependency order
   * among them; a listed node that is running is left alone. `key` makes it idempotent: a key used before
   * changes nothing and returns false. Lifts a cancel.
   */
  rerun(runId: string, key: string, nodes: Readonly<Record<string, string | null>>): Promise<boolean>;
  /** Whether `rerun` was called with `key` for this run (false for a run the scheduler does not hold). */
  rerunUsed(runId: string, key: string): Promise<boolean>;
  close(): Promise<void>;
};

export const TERMINAL: readonly NodeStatus[] = ["done", "failed", "blocked", "cancelled"];

/**
 * Called once each time a run's nodes have all finished (after its start, and after each rerun), by the
 * process that finished the last one, with the context the run was started with and which settling it is
 * (0 after the start, one more after each rerun), so a stage queued on each one is a job of its own.
 */
export type OnSettled = (
  runId: string,
  states: Record<string, NodeStatus>,
  context: unknown,
  settling: number,
) => Promise<void>;
