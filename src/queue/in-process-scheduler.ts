import { indexPlan, reachable } from "../domain/dag/index-plan.js";
import type { PlanNode } from "../domain/plan/plan.js";
import type { NodeStatus } from "../domain/state/node-status.js";
import {
  type NodeEvent,
  type NodeRunner,
  type OnSettled,
  type RunStart,
  type Scheduler,
  TERMINAL,
} from "../pipeline/scheduler.js";

type Run = {
  start: RunStart;
  nodes: Map<string, PlanNode>;
  states: Map<string, NodeStatus>;
  remaining: Map<string, number>;
  dependents: Map<string, string[]>;
  running: number;
  cancelled: boolean;
  waiters: (() => void)[];
  feedback: Map<string, string>;
  reruns: Set<string>;
  settledOnce: boolean;
};

/**
 * The scheduler in one process, for the local CLI: the same contract as the Redis one, with JavaScript's
 * single thread doing what the Lua scripts do there. Nodes run as soon as their own dependencies are done,
 * highest priority first, at most `maxParallel` per run and `concurrency` in all.
 */
export function createInProcessScheduler(options: {
  runNode: NodeRunner;
  concurrency: number;
  attempts?: number;
  onEvent?: (e: NodeEvent) => void;
  onSettled?: OnSettled;
}): Scheduler {
  const runs = new Map<string, Run>();
  let active = 0;
  const attempts = options.attempts ?? 2;

  const set = (run: Run, id: string, status: NodeStatus) => {
    run.states.set(id, status);
    options.onEvent?.({ runId: run.start.runId, nodeId: id, status, at: Date.now() });
  };

  const pump = () => {
    for (const run of runs.values()) {
      if (run.cancelled) continue;
      const ready = [...run.states].filter(([, s]) => s === "ready").map(([id]) => id);
      ready.sort((a, b) => (run.start.priorities[b] ?? 0) - (run.start.priorities[a] ?? 0));
      for (const id of ready) {
        if (run.running >= run.start.maxParallel || active >= options.concurrency) return;
        run.running++;
        active++;
        set(run, id, "running");
        void execute(run, id);
      }
    }
  };

  const execute = async (run: Run, id: string) => {
    const node = run.nodes.get(id) as PlanNode;
    const feedback = run.feedback.get(id);
    let outcome: "done" | "failed" | "cancelled" = "failed";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        outcome = await options.runNode({
          runId: run.start.runId,
          node,
          context: run.start.context,
          isCancelled: async () => run.cancelled,
          attempt: attempt - 1,
          ...(feedback ? { revision: { feedback } } : {}),
        });
        break;
      } catch {
        outcome = "failed";
      }
    }
    run.running--;
    active--;
    finish(run, id, outcome);
    pump();
    if (
      run.running === 0 &&
      !run.settledOnce &&
      [...run.states.values()].every((s) => TERMINAL.includes(s))
    ) {
      run.settledOnce = true;
      await options.onSettled?.(
        run.start.runId,
        Object.fromEntries(run.states),
        run.start.context,
        run.reruns.size,
      );
    }
  };

  const finish = (run: Run, id: string, outcome: "done" | "failed" | "cancelled") => {
    set(run, id, outcome);
    if (outcome === "done") {
      for (const d of run.dependents.get(id) ?? []) {
        const left = (run.remaining.get(d) ?? 1) - 1;
        run.remaining.set(d, left);
        if (left === 0 && run.states.get(d) === "pending") set(run, d, "ready");
      }
    } else if (outcome === "failed") {
      for (const d of reachable(id, run.dependents)) {
        const s = run.states.get(d);
        if (s === "pending" || s === "ready") set(run, d, "blocked");
      }
    }
    if ([...run.states.values()].every((s) => TERMINAL.includes(s)))
      for (const wake of run.waiters.splice(0)) wake();
  };

  const runOf = (runId: string) => {
    const run = runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  };

  const open = (
    start: RunStart,
    given: Readonly<Record<string, NodeStatus>>,
    feedback: Readonly<Record<string, string>> = {},
  ) => {
    if (runs.has(start.runId)) return false;
    const graph = indexPlan(start.plan);
    // A node that depends on a failed or blocked one is blocked (its worker may have died before saying so).
    const states: Record<string, NodeStatus> = { ...given };
    for (let changed = true; changed; ) {
      changed = false;
      for (const id of graph.ids) {
        if (TERMINAL.includes(states[id] ?? "pending")) continue;
        if (
          (graph.dependencies.get(id) ?? []).some((d) => states[d] === "failed" || states[d] === "blocked")
        ) {
          states[id] = "blocked";
          changed = true;
        }
      }
    }
    const done = (id: string) => states[id] === "done";
    const run: Run = {
      start,
      nodes: graph.nodes,
      states: new Map(),
      remaining: new Map(
        graph.ids.map((id) => [id, (graph.dependencies.get(id) ?? []).filter((d) => !done(d)).length]),
      ),
      dependents: graph.dependents,
      running: 0,
      cancelled: false,
      waiters: [],
      feedback: new Map(
        Object.entries(feedback).filter(([id]) => !TERMINAL.includes(states[id] ?? "pending")),
      ),
      reruns: new Set(),
      settledOnce: graph.ids.every((id) => TERMINAL.includes(states[id] ?? "pending")),
    };
    runs.set(start.runId, run);
    for (const id of graph.ids) {
      const known = states[id];
      if (known && TERMINAL.includes(known)) run.states.set(id, known);
      else set(run, id, run.remaining.get(id) === 0 ? "ready" : "pending");
    }
    pump();
    return true;
  };

  return {
    async adopt(start, states, feedback) {
      return open(start, states, feedback);
    },
    async knows(runId) {
      return runs.has(runId);
    },
    async start(start) {
      open(start, {});
    },
    async states(runId) {
      return Object.fromEntries(runOf(runId).states);
    },
    async cancel(runId) {
      const run = runOf(runId);
      run.cancelled = true;
      for (const [id, s] of run.states) if (s === "pending" || s === "ready") finish(run, id, "cancelled");
    },
    async rerunUsed(runId, key) {
      return runs.get(runId)?.reruns.has(key) ?? false;
    },
    async rerun(runId, key, nodes) {
      const run = runOf(runId);
      if (run.reruns.has(key)) return false;
      run.reruns.add(key);
      run.cancelled = false;
      run.settledOnce = false;
      const listed = Object.keys(nodes).filter((id) => run.states.get(id) !== "running");
      for (const id of listed) {
        set(run, id, "pending");
        const feedback = nodes[id];
        if (feedback) run.feedback.set(id, feedback);
        else run.feedback.delete(id);
      }
      for (const id of listed) {
        const waiting = [...run.dependents].filter(
          ([dep, ds]) => ds.includes(id) && run.states.get(dep) !== "done",
        ).length;
        run.remaining.set(id, waiting);
        if (waiting === 0) set(run, id, "ready");
      }
      pump();
      return true;
    },
    async settled(runId) {
      const run = runOf(runId);
      if (![...run.states.values()].every((s) => TERMINAL.includes(s)))
        await new Promise<void>((resolve) => run.waiters.push(resolve));
      return Object.fromEntries(run.states);
    },
    async close() {
      runs.clear();
    },
  };
}
