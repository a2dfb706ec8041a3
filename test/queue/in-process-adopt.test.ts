import { describe, expect, it } from "vitest";
import type { NodeStatus } from "../../src/domain/state/node-status.js";
import { createInProcessScheduler } from "../../src/queue/in-process-scheduler.js";
import { node, plan } from "../support/plans.js";

// The GitHub Action takes up, in a new job, a run an earlier job started: the in-process scheduler adopts
// it at the states the forge shows, without coding the finished nodes again.
const diamond = plan(node("a"), node("b", ["a"]), node("c", ["a"]), node("d", ["b", "c"]));
const start = { runId: "r1", plan: diamond, maxParallel: 4, priorities: {}, context: null };

describe("in-process scheduler: adopt", () => {
  it("codes only the nodes that are not finished, and settles once", async () => {
    const ran: string[] = [];
    const settled: Record<string, NodeStatus>[] = [];
    const scheduler = createInProcessScheduler({
      concurrency: 4,
      runNode: async (task) => {
        ran.push(task.node.id);
        return "done";
      },
      onSettled: async (_run, states) => {
        settled.push(states);
      },
    });
    scheduler.adopt(start, { a: "done", b: "done", c: "running", d: "pending" });
    expect(await scheduler.settled("r1")).toEqual({ a: "done", b: "done", c: "done", d: "done" });
    expect(ran).toEqual(["c", "d"]);
    expect(settled).toHaveLength(1);
  });

  it("adopting a finished run runs nothing until a rerun, which settles it again with its feedback", async () => {
    const ran: string[] = [];
    let settles = 0;
    const scheduler = createInProcessScheduler({
      concurrency: 4,
      runNode: async (task) => {
        ran.push(`${task.node.id}:${task.revision?.feedback ?? ""}`);
        return "done";
      },
      onSettled: async () => {
        settles++;
      },
    });
    scheduler.adopt(start, { a: "done", b: "done", c: "done", d: "done" });
    expect(await scheduler.settled("r1")).toEqual({ a: "done", b: "done", c: "done", d: "done" });
    expect(ran).toEqual([]);
    expect(settles).toBe(0);
    expect(await scheduler.rerun("r1", "review-1", { c: "fix the mean" })).toBe(true);
    await scheduler.settled("r1");
    expect(ran).toEqual(["c:fix the mean"]);
    expect(settles).toBe(1);
  });
});
