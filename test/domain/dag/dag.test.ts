import { describe, expect, it } from "vitest";
import { criticalPath } from "../../../src/domain/dag/critical-path.js";
import { dependents } from "../../../src/domain/dag/dependents.js";
import { readyNodes } from "../../../src/domain/dag/ready-nodes.js";
import { topologicalOrder } from "../../../src/domain/dag/topological-order.js";
import { PlanError } from "../../../src/domain/errors.js";
import { node, plan } from "../../support/plans.js";

//   db ──▶ api ──▶ wire
//   ui ───────────▶ wire      docs (alone)
const p = plan(
  node("wire", ["api", "ui"], ["src/index.ts"], { size: "S" }),
  node("api", ["db"], ["src/api.ts"], { size: "L" }),
  node("ui", [], ["src/ui.ts"], { size: "M" }),
  node("db", [], ["src/db.ts"], { size: "M" }),
  node("docs", [], ["README.md"], { size: "S" }),
);

describe("topologicalOrder", () => {
  it("puts dependencies first and, among nodes that are free to go, takes the one listed first", () => {
    expect(topologicalOrder(p)).toEqual(["ui", "db", "api", "wire", "docs"]);
  });

  it("throws a PlanError that shows the cycle", () => {
    const cyclic = plan(node("a", ["b"]), node("b", ["a"]));
    expect(() => topologicalOrder(cyclic)).toThrow(PlanError);
    expect(() => topologicalOrder(cyclic)).toThrow("The plan has a dependency cycle: a → b → a.");
  });
});

describe("readyNodes", () => {
  it("starts with the nodes that have no dependencies", () => {
    expect(readyNodes(p, {}).map((n) => n.id)).toEqual(["ui", "db", "docs"]);
  });

  it("releases a node as soon as its own dependencies are done, not a whole layer", () => {
    const states = { db: "done", ui: "running", docs: "running" } as const;
    expect(readyNodes(p, states).map((n) => n.id)).toEqual(["api"]);
  });

  it("does not release nodes that are already ready, running, failed or blocked", () => {
    const states = { ui: "ready", db: "failed", docs: "running", api: "blocked" } as const;
    expect(readyNodes(p, states)).toEqual([]);
  });
});

describe("criticalPath", () => {
  it("follows the heaviest chain, weighting nodes by size by default", () => {
    expect(criticalPath(p)).toEqual({
      length: 2 + 4 + 1,
      path: ["db", "api", "wire"],
      tail: { wire: 1, api: 5, ui: 3, db: 7, docs: 1 },
    });
  });

  it("uses measured weights when given", () => {
    const result = criticalPath(p, { wire: 1, api: 1, ui: 10, db: 1, docs: 3 });
    expect(result.path).toEqual(["ui", "wire"]);
    expect(result.length).toBe(11);
  });

  it("rejects a negative or missing weight", () => {
    expect(() => criticalPath(p, { wire: -1 })).toThrow(
      'weight of node "wire" must be a number >= 0, got -1',
    );
    expect(() => criticalPath(p, { wire: Number.NaN })).toThrow(/got NaN/);
  });
});

describe("dependents", () => {
  it("lists transitive dependents in topological order", () => {
    expect(dependents(p, "db")).toEqual(["api", "wire"]);
    expect(dependents(p, "wire")).toEqual([]);
  });

  it("names an unknown node", () => {
    expect(() => dependents(p, "nope")).toThrow('no node "nope" in the plan');
  });
});
