import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../../src/domain/config/repo-config.js";
import { criticalPath } from "../../../src/domain/dag/critical-path.js";
import { readyNodes } from "../../../src/domain/dag/ready-nodes.js";
import { topologicalOrder } from "../../../src/domain/dag/topological-order.js";
import { validatePlan } from "../../../src/domain/dag/validate-plan.js";
import type { Plan } from "../../../src/domain/plan/plan.js";
import type { NodeStatus } from "../../../src/domain/state/node-status.js";
import { node, plan } from "../../support/plans.js";

const config = RepoConfigSchema.parse({ limits: { maxNodes: 100 } });

/** A random DAG: each node depends on a random subset of earlier ones, listed in a shuffled order. */
const dag = fc
  .integer({ min: 1, max: 25 })
  .chain((n) =>
    fc.record({
      edges: fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
      weights: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: n, maxLength: n }),
      listed: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    }),
  )
  .map(({ edges, weights, listed }) => {
    const ids = listed.map((i) => `n${i}`);
    const nodes = ids.map((id, i) =>
      node(
        id,
        ids.slice(0, i).filter((_, j) => edges[i]?.[j]),
      ),
    );
    const shuffled = listed.map((i) => nodes[i]).filter((n) => n !== undefined);
    return {
      plan: plan(...shuffled),
      weights: Object.fromEntries(ids.map((id, i) => [id, weights[i] ?? 0])),
    };
  });

function edges(p: Plan): [string, string][] {
  return p.nodes.flatMap((n) => n.dependsOn.map((d): [string, string] => [d, n.id]));
}

function reaches(p: Plan, from: string, to: string): boolean {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const stack = [to];
  const seen = new Set<string>();
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (id === from) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return false;
}

describe("DAG properties", () => {
  it("every topological order respects every edge and lists each node once", () => {
    fc.assert(
      fc.property(dag, ({ plan: p }) => {
        const order = topologicalOrder(p);
        expect([...order].sort()).toEqual(p.nodes.map((n) => n.id).sort());
        const position = new Map(order.map((id, i) => [id, i]));
        for (const [dep, id] of edges(p)) expect(position.get(dep)).toBeLessThan(position.get(id) ?? -1);
      }),
    );
  });

  it("running ready sets to completion visits every node exactly once, never before its dependencies", () => {
    fc.assert(
      fc.property(
        dag,
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        ({ plan: p }, coins) => {
          const states: Record<string, NodeStatus> = {};
          const visits: string[] = [];
          const coin = coins[Symbol.iterator]();
          for (let round = 0; round <= p.nodes.length; round++) {
            const ready = readyNodes(p, states);
            if (ready.length === 0) break;
            for (const n of ready) expect(n.dependsOn.every((d) => states[d] === "done")).toBe(true);
            // Finish a random non-empty part of the ready set, as workers of different speeds would.
            const finished = ready.filter((_, i) => i === 0 || (coin.next().value as number) < 0.5);
            for (const n of finished) {
              visits.push(n.id);
              states[n.id] = "done";
            }
          }
          expect(visits.sort()).toEqual(p.nodes.map((n) => n.id).sort());
        },
      ),
    );
  });

  it("the critical path weighs at least the heaviest node and at most all nodes, and is a chain", () => {
    fc.assert(
      fc.property(dag, ({ plan: p, weights }) => {
        const { length, path } = criticalPath(p, weights);
        const all = Object.values(weights);
        expect(length).toBeGreaterThanOrEqual(Math.max(...all));
        expect(length).toBeLessThanOrEqual(all.reduce((a, b) => a + b, 0));
        expect(path.reduce((sum, id) => sum + (weights[id] ?? 0), 0)).toBe(length);
        for (const [i, id] of path.slice(1).entries()) {
          expect(p.nodes.find((n) => n.id === id)?.dependsOn).toContain(path[i]);
        }
      }),
    );
  });

  it("a valid DAG passes validation", () => {
    fc.assert(
      fc.property(dag, ({ plan: p }) => {
        expect(validatePlan(p, config)).toEqual({ ok: true });
      }),
    );
  });

  it("any plan with a cycle is rejected, and the cycle it shows is real", () => {
    // Close a cycle: make some node depend on one of its own dependents, however far down (or on itself).
    const cyclic = dag.chain(({ plan: p }) => {
      const ids = p.nodes.map((n) => n.id);
      const pairs = ids.flatMap((u) =>
        ids.filter((v) => u === v || reaches(p, u, v)).map((v) => [u, v] as const),
      );
      return fc
        .constantFrom(...pairs)
        .map(([u, v]) =>
          plan(...p.nodes.map((n) => (n.id === u ? { ...n, dependsOn: [...n.dependsOn, v] } : n))),
        );
    });
    fc.assert(
      fc.property(cyclic, (p) => {
        const result = validatePlan(p, config);
        expect(result.ok).toBe(false);
        const cycles = result.ok ? [] : result.problems.filter((x) => x.code === "cycle");
        expect(cycles.length).toBeGreaterThan(0);
        for (const problem of cycles) {
          const [first, ...rest] = problem.nodes;
          // Every node named in the cycle reaches every other through dependencies.
          for (const other of rest)
            expect(reaches(p, other, first ?? "") && reaches(p, first ?? "", other)).toBe(true);
        }
        expect(() => topologicalOrder(p)).toThrow(/dependency cycle/);
      }),
    );
  });
});
