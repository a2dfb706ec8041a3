import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../../src/domain/config/repo-config.js";
import { validatePlan } from "../../../src/domain/dag/validate-plan.js";
import type { Plan } from "../../../src/domain/plan/plan.js";
import { node, plan } from "../../support/plans.js";

const config = RepoConfigSchema.parse({});

function problems(p: Plan, cfg = config) {
  const result = validatePlan(p, cfg);
  return result.ok ? [] : result.problems;
}

describe("validatePlan", () => {
  it("accepts a valid DAG whose parallel nodes own separate files", () => {
    const p = plan(node("api"), node("ui"), node("wire", ["api", "ui"], ["src/index.ts", "src/api.ts"]));
    expect(validatePlan(p, config)).toEqual({ ok: true });
  });

  it("rejects duplicate ids", () => {
    expect(problems(plan(node("api"), node("api", [], ["src/other.ts"])))).toEqual([
      {
        code: "duplicate-id",
        nodes: ["api"],
        message: 'Node id "api" is used by 2 nodes; give each node its own id.',
      },
    ]);
  });

  it("rejects a dependency on a node that is not in the plan", () => {
    expect(problems(plan(node("api", ["db"])))).toEqual([
      {
        code: "unknown-dependency",
        nodes: ["api", "db"],
        message:
          'Node "api" depends on "db", which is not in the plan; remove the dependency or add a node "db".',
      },
    ]);
  });

  it("rejects a cycle and shows its path", () => {
    const p = plan(node("a", ["c"]), node("b", ["a"]), node("c", ["b"]));
    expect(problems(p)).toEqual([
      {
        code: "cycle",
        nodes: ["a", "c", "b"],
        message:
          'Dependencies form a cycle: the cycle is a → c → b → a (→ reads "depends on"); remove one of these dependencies.',
      },
    ]);
  });

  it("rejects a node that depends on itself", () => {
    expect(problems(plan(node("a", ["a"])))).toEqual([
      {
        code: "cycle",
        nodes: ["a"],
        message:
          'Dependencies form a cycle: "a" depends on itself (→ reads "depends on"); remove one of these dependencies.',
      },
    ]);
  });

  it("rejects two parallel nodes that own the same file, naming both nodes and the file", () => {
    expect(problems(plan(node("api", [], ["src/shared.ts"]), node("ui", [], ["src/shared.ts"])))).toEqual([
      {
        code: "ownership-conflict",
        nodes: ["api", "ui"],
        message:
          'Nodes "api" and "ui" both own "src/shared.ts" but neither depends on the other, so they could edit it at the same time; give the file to one node, or make one node depend on the other.',
      },
    ]);
  });

  it("rejects overlapping globs and names a file both match", () => {
    const [problem] = problems(plan(node("api", [], ["src/**/*.ts"]), node("ui", [], ["src/ui/*.ts"])));
    expect(problem?.message).toBe(
      'Nodes "api" and "ui" both own "src/ui/x.ts" ("src/**/*.ts" in "api", "src/ui/*.ts" in "ui") but neither depends on the other, so they could edit it at the same time; give the file to one node, or make one node depend on the other.',
    );
  });

  it("allows shared files when a path of dependencies orders the nodes, even through another node", () => {
    const p = plan(
      node("a", [], ["src/index.ts"]),
      node("b", ["a"], ["src/b.ts"]),
      node("c", ["b"], ["src/index.ts"]),
    );
    expect(validatePlan(p, config)).toEqual({ ok: true });
  });

  it("does not confuse globs that cannot meet", () => {
    const p = plan(node("a", [], ["src/*.ts"]), node("b", [], ["src/*.tsx", "src/a/*.ts", "test/**"]));
    expect(validatePlan(p, config)).toEqual({ ok: true });
  });

  it("rejects more nodes than limits.maxNodes", () => {
    const small = RepoConfigSchema.parse({ limits: { maxNodes: 2 } });
    expect(problems(plan(node("a"), node("b"), node("c")), small)).toEqual([
      {
        code: "too-many-nodes",
        nodes: [],
        message:
          "The plan has 3 nodes but limits.maxNodes is 2; merge small nodes, or raise the limit in .github/swarm.yml.",
      },
    ]);
  });

  it("rejects a node that owns a protected path, directly or through a glob", () => {
    const p = plan(node("ci", [], [".github/workflows/ci.yml"]), node("all", ["ci"], [".github/**"]));
    expect(problems(p).map((x) => x.message)).toEqual([
      'Node "ci" owns ".github/workflows/ci.yml", which protectedPaths (".github/workflows/**") forbids agents to change; remove it from the node.',
      'Node "all" owns ".github/**" (which includes ".github/workflows/x"), which protectedPaths (".github/workflows/**") forbids agents to change; remove it from the node.',
    ]);
  });

  it("reports every problem at once, so one repair turn can fix them all", () => {
    const p = plan(
      node("a", ["zz"], ["src/x.ts"]),
      node("b", [], ["src/x.ts"]),
      node("b", ["b"], ["src/y.ts"]),
    );
    expect(problems(p).map((x) => x.code)).toEqual([
      "duplicate-id",
      "unknown-dependency",
      "cycle",
      "ownership-conflict",
    ]);
  });

  it("rejects a node that owns only the tests of code a parallel node owns, and says how to fix it", () => {
    const p = plan(
      node("stats", [], ["src/stats.ts"]),
      node("stats-tests", [], ["test/stats.test.ts"], { role: "test" }),
    );
    expect(problems(p)).toEqual([
      {
        code: "tests-apart-from-code",
        nodes: ["stats-tests", "stats"],
        message:
          'Node "stats-tests" owns only tests ("test/stats.test.ts") of code that node "stats" owns ("src/stats.ts"), but neither depends on the other, so the tests would run before that code is there and neither node could pass the checks by itself; make "stats-tests" depend on "stats", or merge the tests into "stats" (a behaviour and its tests belong in one node).',
      },
    ]);
  });

  it("finds tests of parallel code by the conventions of each language and by test folders", () => {
    const apart = (tests: string[], code: string[]) =>
      problems(plan(node("code", [], code), node("tests", [], tests))).map((x) => x.code);
    expect(apart(["tests/test_stats.py"], ["pkg/stats.py"])).toEqual(["tests-apart-from-code"]);
    expect(apart(["stats_test.go"], ["stats.go"])).toEqual(["tests-apart-from-code"]);
    expect(apart(["test/api/**"], ["src/api/**"])).toEqual(["tests-apart-from-code"]);
    expect(apart(["src/ui/*.test.ts"], ["src/ui/view.ts"])).toEqual(["tests-apart-from-code"]);
    // Tests of other code, and a node with code of its own beside its tests, are fine in parallel.
    expect(apart(["test/ui.test.ts"], ["src/stats.ts"])).toEqual([]);
    expect(apart(["test/api/**"], ["src/ui/**"])).toEqual([]);
    expect(apart(["test/stats.test.ts", "src/report.ts"], ["src/stats.ts"])).toEqual([]);
  });

  it("accepts tests that come after their code, and a behaviour with its tests in one node", () => {
    expect(
      validatePlan(
        plan(
          node("stats", [], ["src/stats.ts"]),
          node("stats-tests", ["stats"], ["test/stats.test.ts"], { role: "test" }),
          node("report", [], ["src/report.ts", "test/report.test.ts"]),
        ),
        config,
      ),
    ).toEqual({ ok: true });
  });

  it("rejects an interface whose provider or user is not a node of the plan", () => {
    const listProducts = {
      name: "listProducts",
      kind: "function" as const,
      definition: "listProducts(): Product[]",
    };
    const p: Plan = {
      ...plan(node("api"), node("ui")),
      interfaces: [
        {
          name: "listProducts",
          kind: "function",
          definition: "listProducts(): Product[]",
          provider: "db",
          users: ["ui", "cli"],
        },
      ],
    };
    expect(problems(p).map((x) => x.message)).toEqual([
      'Interface "listProducts" names "db" as its provider, which is not a node of the plan; name a node of the plan, or remove it from the interface.',
      'Interface "listProducts" names "cli" as its user, which is not a node of the plan; name a node of the plan, or remove it from the interface.',
    ]);
    expect(
      validatePlan({ ...p, interfaces: [{ ...listProducts, provider: "api", users: ["ui"] }] }, config),
    ).toEqual({ ok: true });
  });
});
