import { describe, expect, it } from "vitest";
import { IllegalTransitionError } from "../../../src/domain/errors.js";
import { NODE_STATUSES, NODE_TRANSITIONS, transitionNode } from "../../../src/domain/state/node-status.js";
import { RUN_STATUSES, RUN_TRANSITIONS, transitionRun } from "../../../src/domain/state/run-status.js";

describe("node state machine", () => {
  it("walks the happy path pending → ready → running → done", () => {
    expect(transitionNode("pending", "ready")).toBe("ready");
    expect(transitionNode("ready", "running")).toBe("running");
    expect(transitionNode("running", "done")).toBe("done");
  });

  it.each([
    ["running", "failed", "a node fails"],
    ["pending", "blocked", "a dependency failed"],
    ["done", "ready", "a revision sends a done node back"],
    ["failed", "ready", "a retry"],
    ["blocked", "pending", "the failed dependency is retried"],
    ["running", "cancelled", "/swarm cancel"],
  ] as const)("allows %s → %s (%s)", (from, to, _why) => {
    expect(transitionNode(from, to)).toBe(to);
  });

  it("throws on an illegal move, naming the node and the allowed moves", () => {
    expect(() => transitionNode("pending", "done", "api")).toThrow(IllegalTransitionError);
    expect(() => transitionNode("pending", "done", "api")).toThrow(
      'Node "api" cannot go from pending to done. From pending a node may go to: ready, blocked, cancelled.',
    );
  });

  it("forbids every move not in the table, and a node staying where it is", () => {
    for (const from of NODE_STATUSES) {
      for (const to of NODE_STATUSES) {
        const allowed = NODE_TRANSITIONS[from].includes(to);
        if (allowed) expect(transitionNode(from, to)).toBe(to);
        else expect(() => transitionNode(from, to)).toThrow(IllegalTransitionError);
      }
      expect(NODE_TRANSITIONS[from]).not.toContain(from);
    }
  });

  it("lets every status be reached from pending", () => {
    const reached = new Set<string>(["pending"]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of reached) {
        for (const to of NODE_TRANSITIONS[from as (typeof NODE_STATUSES)[number]]) {
          if (!reached.has(to)) grew = reached.add(to).size > 0;
        }
      }
    }
    expect([...reached].sort()).toEqual([...NODE_STATUSES].sort());
  });
});

describe("run state machine", () => {
  it("loops review → revise → integrate until green", () => {
    let status = transitionRun("planning", "coding");
    status = transitionRun(status, "integrating");
    status = transitionRun(status, "reviewing");
    status = transitionRun(status, "revising");
    status = transitionRun(status, "integrating");
    status = transitionRun(status, "reviewing");
    expect(transitionRun(status, "green")).toBe("green");
  });

  it("throws on an illegal move", () => {
    expect(() => transitionRun("planning", "green")).toThrow(IllegalTransitionError);
    expect(() => transitionRun("green", "coding")).toThrow("A run cannot go from green to coding.");
  });

  it("forbids every move not in the table", () => {
    for (const from of RUN_STATUSES) {
      for (const to of RUN_STATUSES) {
        if (RUN_TRANSITIONS[from].includes(to)) expect(transitionRun(from, to)).toBe(to);
        else expect(() => transitionRun(from, to)).toThrow(IllegalTransitionError);
      }
    }
  });
});
