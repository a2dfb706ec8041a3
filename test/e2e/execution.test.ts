import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import type { Plan } from "../../src/domain/plan/plan.js";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { reply } from "../support/fake-anthropic/script.js";
import { git } from "../support/fake-github/bare-repo.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { must, node } from "../support/plans.js";

const plan: Plan = {
  summary: "API and UI in parallel, wired, then documented.",
  nodes: [
    node("api", [], ["src/api/**"], { title: "Build the API" }),
    node("ui", [], ["src/ui/**"], { title: "Build the UI" }),
    node("wire", ["api", "ui"], ["src/index.ts"], { title: "Wire them", role: "integrate" }),
    node("docs", ["wire"], ["README.md"], { title: "Document", role: "docs" }),
  ],
  interfaces: [
    {
      name: "listProducts",
      kind: "function",
      definition: "export function listProducts(): Promise<{ id: string; name: string }[]>",
      provider: "api",
      users: ["ui", "wire"],
    },
    {
      name: "GET /products",
      kind: "route",
      definition: "200: [{ id, name }]",
      provider: "api",
      users: ["ui"],
    },
  ],
};
const FILE: Record<string, string> = {
  api: "src/api/api.ts",
  ui: "src/ui/ui.ts",
  wire: "src/index.ts",
  docs: "README.md",
};
const CHECK = `if grep -rq BROKEN src README.md; then echo "src/ui/ui.ts:1:1: error: the UI is broken"; exit 1; fi; echo "checks pass"\n`;
let brokenNode = "";
let refusedNode = "";
let slowFirstTurn = 0;

/** The planner replies with the plan; each coder writes its node's file, then finishes. */
function model(req: MessageCreateParams) {
  if (JSON.stringify(req.system).includes("You are the planner of swarm")) return reply.json(plan);
  const id = /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(req.messages[0]))?.[1] ?? "";
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  if (id === refusedNode)
    return {
      fault: "status" as const,
      status: 400,
      type: "invalid_request_error",
      message: "prompt is too long",
    };
  if (turn === 0)
    return call.create(
      FILE[id] ?? "",
      `// ${id}${id === brokenNode ? " BROKEN" : ""}\nexport const ${id} = true;\n`,
      { latencyMs: slowFirstTurn || 150 },
    );
  if (turn === 1) return call.finish(`Built ${id}.`);
  return reply.text("Done.");
}

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

let n = 0;
async function runSpec(): Promise<{ repo: RepoState; spec: Issue; states: Record<string, string> }> {
  const repo = rig.github.createRepo("acme", `exec${++n}`, {
    "check.sh": CHECK,
    ".github/swarm.yml": "validation:\n  commands: [sh check.sh]\n",
    "README.md": "# app\n",
    "src/index.ts": "export {};\n",
  });
  const spec = rig.github.openIssue(repo, "Build the app", "Build an API and a UI, wire them, document it.");
  const integrated = rig.integrateOutcomes.length;
  rig.github.labelIssue(repo, spec, "swarm");
  await rig.settled();
  const outcome = rig.outcomes.at(-1);
  if (outcome?.kind !== "planned") throw new Error(`not planned: ${JSON.stringify(outcome)}`);
  const states = await must(rig.scheduler, "scheduler").settled(outcome.runId);
  // The run's settling queues the integrate job (which skips a run whose nodes are not all done): waited
  // for, so that a later step does not take this one's outcome for its own.
  await rig.until(() => rig.integrateOutcomes.length > integrated);
  await rig.settled();
  return { repo, spec, states };
}
const subIssues = (repo: RepoState, spec: Issue) =>
  new Map(
    [...repo.issues.values()]
      .filter((i) => readMarker(i.body, "node")?.spec === spec.number)
      .map((i) => [readMarker(i.body, "node")?.node.id, i]),
  );
const dashboardOf = (repo: RepoState, spec: Issue) =>
  [...repo.comments.values()].find((c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"));
const firstRequests = () =>
  rig.anthropic.requests.filter(
    (r) => r.body.messages.length === 1 && JSON.stringify(r.body.system).includes("You are a coder"),
  );
/** The coders' first requests, by node; a request of no node is the call that warms the run's cache. */
const coderStarts = () =>
  firstRequests().map((r) => /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(r.body.messages[0]))?.[1]);

describe("execution, end to end", () => {
  it("codes a labelled issue's nodes in dependency order, each on its branch built on its dependencies", async () => {
    const before = coderStarts().length;
    const { repo, spec, states } = await runSpec();
    expect(states).toEqual({ api: "done", ui: "done", wire: "done", docs: "done" });
    // api and ui first (in either order), then wire, then docs.
    // One call warms the cache (two coders start at once); then api and ui (in either order), wire, docs.
    const order = coderStarts().slice(before);
    expect(order[0]).toBeUndefined();
    expect(order.slice(1, 3).sort()).toEqual(["api", "ui"]);
    expect(order.slice(3)).toEqual(["wire", "docs"]);
    // Every coder's first request holds the plan's interfaces, in the part all nodes share.
    const firsts = firstRequests()
      .slice(before + 1)
      .map((r) => JSON.stringify(r.body.messages[0]?.content));
    expect(firsts).toHaveLength(4);
    for (const first of firsts) {
      expect(first).toContain("The interfaces the nodes share (build and use them exactly as defined here):");
      expect(first).toContain(
        "- `listProducts` (function), provided by `api`, used by `ui`, `wire`:\\n    export function listProducts(): Promise<{ id: string; name: string }[]>",
      );
      expect(first).toContain("- `GET /products` (route), provided by `api`, used by `ui`:");
    }
    // The shared part, interfaces included, is the same bytes for every node (read from the cache).
    const shared = firsts.map((f) => f.slice(0, f.indexOf("Your node:")));
    expect(new Set(shared).size).toBe(1);

    const branch = (id: string) => `swarm/${spec.number}-build-the-app/${id}`;
    expect(git(repo.bare, "diff", "--name-only", "main", branch("api"))).toBe("src/api/api.ts");
    // wire's branch starts from api's and ui's, so it holds their work and its own.
    expect(git(repo.bare, "diff", "--name-only", "main", branch("wire")).split("\n").sort()).toEqual([
      "src/api/api.ts",
      "src/index.ts",
      "src/ui/ui.ts",
    ]);
    expect(git(repo.bare, "show", `${branch("docs")}:README.md`)).toContain("// docs");

    for (const [id, issue] of subIssues(repo, spec)) {
      expect(issue.state, id).toBe("closed");
      expect(readMarker(issue.body, "node")?.status).toBe("done");
      // The node's report is in the edit that closes its sub-issue: no comment of its own.
      expect([...repo.comments.values()].filter((c) => c.issueNumber === issue.number)).toEqual([]);
      expect(issue.body).toContain(
        `### Result\n**Node \`${id}\` is done** on \`${branch(id ?? "")}\` (${git(repo.bare, "rev-parse", "--short=7", branch(id ?? ""))}).`,
      );
    }
    const dashboard = [...repo.comments.values()].find(
      (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
    );
    expect(dashboard?.body).toContain(
      "All 4 nodes are done and merged into the pull request; waiting for the repository's checks.",
    );
    expect(readMarker(dashboard?.body, "dashboard")?.status).toBe("reviewing");

    // The integrator merged the node branches, dependencies first, and opened a draft PR from them.
    const integration = branch("integration");
    expect(
      git(repo.bare, "log", "--format=%s", "--first-parent", `main..${integration}`).split("\n").reverse(),
    ).toEqual([
      "Merge node api: Build the API",
      "Merge node ui: Build the UI",
      "Merge node wire: Wire them",
      "Merge node docs: Document",
    ]);
    expect(git(repo.bare, "diff", "--name-only", "main", integration).split("\n").sort()).toEqual([
      "README.md",
      "src/api/api.ts",
      "src/index.ts",
      "src/ui/ui.ts",
    ]);
    const pulls = [...repo.pulls.values()];
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: integration, base: "main", draft: true, title: "Build the app" });
    expect(pulls[0]?.body).toContain(`Closes #${spec.number}`);
    expect(pulls[0]?.body).toContain("| `api` Build the API | Built api. |");
    const head = git(repo.bare, "rev-parse", integration);
    const swarmCheck = [...repo.checkRuns.values()].find((r) => r.name === "swarm" && r.headSha === head);
    expect(swarmCheck).toMatchObject({ status: "in_progress", title: "Waiting for the repository's checks" });
    expect(dashboard?.body).toContain(`Pull request: ${pulls[0] ? "https://github.invalid/" : ""}`);

    // The PR closed by hand: `/swarm retry` finds every node done and no open PR, and merges again.
    const first = pulls[0] as (typeof pulls)[number];
    rig.github.closePullAs(repo, first);
    const integrated = rig.integrateOutcomes.length;
    rig.github.commentAs(repo, spec, "/swarm retry");
    await rig.until(() => rig.integrateOutcomes.length > integrated);
    await rig.settled();
    const reopened = [...repo.pulls.values()].filter((p) => p.state === "open");
    expect(reopened).toHaveLength(1);
    expect(reopened[0]?.head).toBe(integration);
    expect(git(repo.bare, "rev-parse", integration)).toBe(head); // nothing changed, so nothing was pushed
    const answer = [...repo.comments.values()].find((c) => c.body.startsWith("@acme: Every node is done"));
    expect(answer?.body.split("\n")[0]).toBe(
      "@acme: Every node is done, so their branches are being merged again and the pull request opened.",
    );
    // Tokens and cost per node come from the run's ledger in Redis, shared by the workers.
    for (const id of ["api", "ui", "wire", "docs"])
      expect(dashboard?.body).toMatch(new RegExp(`\\| \`${id}\`[^\\n]*\\| [\\d,]+ \\| \\$\\d+\\.\\d\\d \\|`));
    expect(dashboard?.body).toMatch(/\*\*4 of 4 nodes done\*\* · [\d,]+ tokens · \$\d+\.\d\d/);
    expect(
      [
        ...(/```mermaid([\s\S]*?)```/.exec(dashboard?.body ?? "")?.[1] ?? "").matchAll(/class n_\w+ (\w+)/g),
      ].map((m) => m[1]),
    ).toEqual(["done", "done", "done", "done"]);
  });

  it("blocks only the dependents of a node whose checks fail; the dashboard says so; the rest finishes", async () => {
    brokenNode = "ui";
    try {
      const { repo, spec, states } = await runSpec();
      expect(states).toEqual({ api: "done", ui: "failed", wire: "blocked", docs: "blocked" });
      const issues = subIssues(repo, spec);
      expect(readMarker(issues.get("ui")?.body, "node")?.status).toBe("failed");
      expect(issues.get("ui")?.state).toBe("open");
      expect(readMarker(issues.get("wire")?.body, "node")?.status).toBe("blocked");
      expect(readMarker(issues.get("docs")?.body, "node")?.status).toBe("blocked");
      expect(issues.get("api")?.state).toBe("closed");
      const dashboard = [...repo.comments.values()].find(
        (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
      );
      expect(dashboard?.body).toContain("1 of 4 nodes done. `ui` failed");

      // Once the cause is gone, `/swarm retry` codes the failed node and its blocked dependents again.
      brokenNode = "";
      const before = coderStarts().length;
      const integrated = rig.integrateOutcomes.length;
      rig.github.commentAs(repo, spec, "/swarm retry");
      await rig.until(() => rig.integrateOutcomes.length > integrated);
      await rig.settled();
      expect(coderStarts().slice(before)).toEqual(["ui", "wire", "docs"]);
      const runId = readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.runId ?? "";
      expect(await must(rig.scheduler, "scheduler").states(runId)).toEqual({
        api: "done",
        ui: "done",
        wire: "done",
        docs: "done",
      });
      const answer = [...repo.comments.values()].find((c) => c.body.startsWith("@acme: Retrying"));
      expect(answer?.body.split("\n")[0]).toBe("@acme: Retrying `ui`, `wire`, `docs`.");
      expect(rig.integrateOutcomes.at(-1)?.kind).toBe("opened");
      expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status).toBe("reviewing");
    } finally {
      brokenNode = "";
    }
  });
});

describe("a node that cannot be coded at all", () => {
  it("is recorded failed when its every attempt throws, its dependents blocked, and the run failed", async () => {
    refusedNode = "ui";
    try {
      const { repo, spec, states } = await runSpec();
      expect(states).toEqual({ api: "done", ui: "failed", wire: "blocked", docs: "blocked" });
      // The attempts threw before the node could record anything: the settled run says it for them.
      await rig.until(() => readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status === "failed");
      const issues = subIssues(repo, spec);
      expect(readMarker(issues.get("ui")?.body, "node")?.status).toBe("failed");
      expect(readMarker(issues.get("wire")?.body, "node")?.status).toBe("blocked");
      expect(readMarker(issues.get("docs")?.body, "node")?.status).toBe("blocked");
      const said = [...repo.comments.values()].filter((c) => c.issueNumber === issues.get("ui")?.number);
      expect(said.map((c) => c.body).join("\n")).toContain("The Anthropic API refused the request (400)");
      expect(readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status).toBe("failed");
    } finally {
      refusedNode = "";
    }
  });
});

describe("/swarm cancel", () => {
  it("drops queued nodes, stops running ones at their next turn, and closes their sub-issues", async () => {
    slowFirstTurn = 1200;
    try {
      const repo = rig.github.createRepo("acme", `exec${++n}`, {
        "README.md": "# app\n",
        "src/index.ts": "export {};\n",
      });
      const spec = rig.github.openIssue(
        repo,
        "Build the app",
        "Build an API and a UI, wire them, document it.",
      );
      rig.github.labelIssue(repo, spec, "swarm");
      await rig.settled();
      const outcome = rig.outcomes.at(-1);
      if (outcome?.kind !== "planned") throw new Error("not planned");
      const scheduler = must(rig.scheduler, "scheduler");
      while (!Object.values(await scheduler.states(outcome.runId)).includes("running"))
        await new Promise((r) => setTimeout(r, 20));
      rig.github.commentAs(repo, spec, "/swarm cancel");
      await rig.settled();
      const states = await scheduler.settled(outcome.runId);
      expect(Object.values(states).every((s) => s === "cancelled")).toBe(true);
      for (const issue of subIssues(repo, spec).values()) {
        expect(issue).toMatchObject({ state: "closed", stateReason: "not_planned" });
        expect(readMarker(issue.body, "node")?.status).toBe("cancelled");
      }
      const dashboard = [...repo.comments.values()].find(
        (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
      );
      expect(readMarker(dashboard?.body, "dashboard")?.status).toBe("cancelled");
    } finally {
      slowFirstTurn = 0;
    }
  });
});
