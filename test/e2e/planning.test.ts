import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import type { Plan } from "../../src/domain/plan/plan.js";
import { readTrace } from "../../src/model/trace/file-trace-sink.js";
import { EDITOR } from "../../src/pipeline/code/editor-tool.js";
import { agentScript, notSaw, saw, shownLast } from "../support/agent-script.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { git } from "../support/fake-github/bare-repo.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { must, node } from "../support/plans.js";

const plan: Plan = {
  summary: "An API and a UI, wired together, then documented.",
  nodes: [
    node("api", [], ["src/api/**"], { title: "Build the API", size: "M" }),
    node("ui", [], ["src/ui/**"], { title: "Build the UI", size: "M" }),
    node("wire", ["api", "ui"], ["src/index.ts"], { title: "Wire API and UI", role: "integrate", size: "S" }),
    node("docs", ["wire"], ["README.md"], { title: "Document it", role: "docs", size: "S" }),
  ],
};
const SPEC_BODY =
  "Build a small shop with an API and a UI.\n\n- [ ] the API lists products\n- [ ] the UI shows them";

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(() => reply.json(plan));
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

let repoCount = 0;
function newRepo(files: Record<string, string> = {}): RepoState {
  const repo = rig.github.createRepo("acme", `shop${++repoCount}`, {
    "README.md": "# shop\n",
    "src/index.ts": "export {};\n",
    ...files,
  });
  repo.permissions.set("maintainer", "maintain");
  repo.permissions.set("helper", "triage");
  return repo;
}
const nodeIssues = (repo: RepoState, spec: Issue) =>
  [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
const commentsOn = (repo: RepoState, spec: Issue) =>
  [...repo.comments.values()].filter((c) => c.issueNumber === spec.number);
const plannerCalls = () =>
  rig.anthropic.requests.filter((r) => JSON.stringify(r.body.system).includes("You are the planner of swarm"))
    .length;

describe("planning, end to end", () => {
  it("turns a labelled issue into sub-issues with blocked_by edges, labels, markers and a Mermaid dashboard", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Build the shop", SPEC_BODY);
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();
    // The delivery carried the repository's default branch and clone URL, and the App server noted them:
    // planning (a checkout of the default branch) never asks GitHub for them.
    const repositoryReads = rig.github.requests.filter(
      (r) => r.method === "GET" && r.path === `/repos/${repo.owner.login}/${repo.name}`,
    );
    expect(repositoryReads).toEqual([]);
    expect(
      rig.github.requests.some((r) => r.path.startsWith(`/repos/${repo.owner.login}/${repo.name}/`)),
    ).toBe(true);

    const subs = nodeIssues(repo, spec);
    expect(subs.map((i) => i.title).sort()).toEqual([
      "[api] Build the API",
      "[docs] Document it",
      "[ui] Build the UI",
      "[wire] Wire API and UI",
    ]);
    expect(spec.subIssueIds.sort()).toEqual(subs.map((i) => i.id).sort());
    const byNode = new Map(subs.map((i) => [readMarker(i.body, "node")?.node.id, i]));
    const ids = (names: string[]) => names.map((n) => byNode.get(n)?.id).sort();
    expect(byNode.get("wire")?.blockedByIds.sort()).toEqual(ids(["api", "ui"]));
    expect(byNode.get("docs")?.blockedByIds).toEqual(ids(["wire"]));
    expect(byNode.get("api")?.blockedByIds).toEqual([]);
    for (const issue of subs) expect(issue.labels).toEqual(["swarm:node"]);
    expect(readMarker(byNode.get("api")?.body, "node")).toMatchObject({
      status: "ready",
      branch: `swarm/${spec.number}-build-the-shop/api`,
    });
    expect(readMarker(byNode.get("wire")?.body, "node")?.status).toBe("pending");
    // The dashboard, written at once, acknowledges the label: no reaction (a write less a run).
    expect(spec.reactions).toEqual([]);

    const dashboards = commentsOn(repo, spec).filter((c) => readMarker(c.body, "dashboard"));
    expect(dashboards).toHaveLength(1);
    const body = dashboards[0]?.body ?? "";
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(body)?.[1] ?? "";
    const edges = [...mermaid.matchAll(/n_(\w+) --> n_(\w+)/g)].map((m) => `${m[1]}->${m[2]}`).sort();
    expect(edges).toEqual(["api->wire", "ui->wire", "wire->docs"]);
    expect([...mermaid.matchAll(/class n_(\w+) (\w+)/g)].map((m) => `${m[1]}:${m[2]}`).sort()).toEqual([
      "api:ready",
      "docs:pending",
      "ui:ready",
      "wire:pending",
    ]);
    expect(body).toContain(
      `| \`api\` Build the API | implement | 🔵 ready | \`swarm/${spec.number}-build-the-shop/api\` | #${byNode.get("api")?.number} |`,
    );
    expect(readMarker(body, "dashboard")).toMatchObject({
      status: "planned",
      nodeOrder: ["api", "ui", "wire", "docs"],
      summary: plan.summary,
    });
  });

  it("keeps one run for a delivery sent three times and a label removed and added again", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Build the shop again", SPEC_BODY);
    const before = plannerCalls();
    const outcomesBefore = rig.outcomes.length;
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.github.webhooks.settled();
    const delivery = rig.github.webhooks.deliveries.at(-1)?.id ?? "";
    rig.github.webhooks.redeliver(delivery);
    rig.github.webhooks.redeliver(delivery);
    await rig.settled();
    spec.labels = []; // removed by a person (swarm does not act on unlabeled)
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();

    expect(plannerCalls() - before).toBe(1);
    expect(nodeIssues(repo, spec)).toHaveLength(4);
    expect(commentsOn(repo, spec).filter((c) => readMarker(c.body, "dashboard"))).toHaveLength(1);
    // The redeliveries came while the first job was queued or running, so BullMQ added nothing for them;
    // the second label became a job that found the live run.
    expect(rig.outcomes.slice(outcomesBefore).map((o) => o.kind)).toEqual(["planned", "ignored"]);
    expect(rig.outcomes.at(-1)).toEqual({ kind: "ignored", reason: "a run is already planned" });
    const answered = rig.github.webhooks.deliveries.filter((d) => d.id === delivery).map((d) => d.status);
    expect(answered).toEqual([200, 200, 200]);
  });

  it("repairs a plan with a cycle, then one with an ownership conflict, and goes on; the trace has all three replies", async () => {
    const cyclic: Plan = {
      ...plan,
      nodes: plan.nodes.map((n) => (n.id === "api" ? { ...n, dependsOn: ["docs"] } : n)),
    };
    const conflicting: Plan = {
      ...plan,
      nodes: plan.nodes.map((n) => (n.id === "ui" ? { ...n, owns: ["src/**"] } : n)),
    };
    rig.anthropic.setModel(inOrder(reply.json(cyclic), reply.json(conflicting), reply.json(plan)));
    try {
      const repo = newRepo();
      const spec = rig.github.openIssue(repo, "Repair me", SPEC_BODY);
      rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
      await rig.settled();
      const outcome = rig.outcomes.at(-1);
      expect(outcome).toMatchObject({ kind: "planned", turns: 3 });
      expect(nodeIssues(repo, spec)).toHaveLength(4);
      const runId = outcome?.kind === "planned" ? outcome.runId : "";
      const lines = await readTrace(join(rig.runsDir, runId, "trace.jsonl"));
      expect(lines.map((l) => l.role)).toEqual(["planner", "planner", "planner"]);
      const replies = lines.map(
        (l) =>
          JSON.parse(
            (must(l.response, "a response").content.find((b) => b.type === "text") as { text: string }).text,
          ) as Plan,
      );
      expect(replies).toEqual([cyclic, conflicting, plan]);
      const repairs = lines.slice(1).map((l) => shownLast(must(l.request, "a request")));
      expect(repairs[0]).toContain("Dependencies form a cycle");
      expect(repairs[1]).toContain('Nodes "api" and "ui" both own "src/api/x"');
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
  });

  it("asks again when the plan is cut off at max_tokens, and lays out the whole plan", async () => {
    const json = JSON.stringify(plan);
    rig.anthropic.setModel(
      inOrder({ content: [{ type: "text", text: json }], stopReason: "max_tokens" }, reply.json(plan)),
    );
    try {
      const repo = newRepo();
      const spec = rig.github.openIssue(repo, "Cut me off", SPEC_BODY);
      rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
      await rig.settled();
      expect(rig.outcomes.at(-1)).toMatchObject({ kind: "planned", turns: 2 });
      expect(nodeIssues(repo, spec)).toHaveLength(4);
      const retry = rig.anthropic.requests.at(-1)?.body;
      // What the planner was told: its cut answer went back as it came, then why it is asked again.
      const cut = retry?.messages.at(-2)?.content;
      expect(Array.isArray(cut) && cut.find((b) => b.type === "text")).toMatchObject({
        text: json.slice(0, Math.floor(json.length / 2)),
      });
      expect(shownLast(must(retry, "the retry"))).toContain(
        "your reply reached the output limit of 32000 tokens and was cut off before the JSON was complete",
      );
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
  });

  it("answers an invalid .github/swarm.yml with one comment listing each problem, and starts no run", async () => {
    const repo = newRepo({ ".github/swarm.yml": "label: swarm\nlimits:\n  maxNodes: -2\ncolour: red\n" });
    const spec = rig.github.openIssue(repo, "Bad config", SPEC_BODY);
    const before = plannerCalls();
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();
    const comments = commentsOn(repo, spec);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(
      ".github/swarm.yml:3:13  limits.maxNodes: must be greater than 0, but it is -2",
    );
    expect(comments[0]?.body).toContain('.github/swarm.yml:4:1  colour: unknown key "colour"');
    expect(nodeIssues(repo, spec)).toEqual([]);
    expect(plannerCalls()).toBe(before);
  });

  it("answers an empty issue body with what is missing, and starts no run", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Empty", "<!-- the issue template's hint, nothing else -->");
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();
    const comments = commentsOn(repo, spec);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain("The spec issue does not say what to build");
    expect(nodeIssues(repo, spec)).toEqual([]);
  });

  it("tells a labeller without write access that they cannot start swarm, and starts no run", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "From a triager", SPEC_BODY);
    rig.github.labelIssue(repo, spec, "swarm", { login: "helper", id: 78, type: "User" });
    await rig.settled();
    expect(commentsOn(repo, spec).map((c) => c.body.split("\n")[0])).toEqual([
      "@helper, only people with write access to this repository can start swarm (you have triage access). Ask a maintainer to add the label or run the command.",
    ]);
    expect(nodeIssues(repo, spec)).toEqual([]);
  });

  it("ignores a label added by a bot, without a job or a comment", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "From a bot", SPEC_BODY);
    const jobs = rig.outcomes.length;
    rig.github.labelIssue(repo, spec, "swarm", { login: "renovate[bot]", id: 79, type: "Bot" });
    // Even a bot whose name does not end in [bot] is a bot by its type.
    rig.github.labelIssue(repo, spec, "swarm", { login: "sneaky-automation", id: 80, type: "Bot" });
    await rig.settled();
    expect(rig.outcomes.length).toBe(jobs);
    expect(commentsOn(repo, spec)).toEqual([]);
    expect(spec.reactions).toEqual([]);
  });

  it("plans as a dry run on /swarm plan: a dashboard, no sub-issues", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Just show me", SPEC_BODY);
    rig.github.commentAs(repo, spec, "/swarm plan", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();
    expect(nodeIssues(repo, spec)).toEqual([]);
    const dashboard = commentsOn(repo, spec).find((c) => readMarker(c.body, "dashboard"));
    expect(readMarker(dashboard?.body, "dashboard")).toMatchObject({
      status: "planned",
      dryRun: true,
      nodeOrder: ["api", "ui", "wire", "docs"],
    });
    expect(dashboard?.body).toContain("Dry run: 4 nodes planned, nothing created.");
    // The label then starts the real run from the dry run.
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();
    expect(nodeIssues(repo, spec)).toHaveLength(4);
  });

  it("replans on /swarm replan: nodes the new plan drops are closed as not planned", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Change of mind", SPEC_BODY);
    rig.github.labelIssue(repo, spec, "swarm", { login: "maintainer", id: 77, type: "User" });
    await rig.settled();
    const smaller: Plan = { summary: "No docs.", nodes: plan.nodes.filter((n) => n.id !== "docs") };
    rig.anthropic.setModel(() => reply.json(smaller));
    try {
      rig.github.commentAs(repo, spec, "/swarm replan", { login: "maintainer", id: 77, type: "User" });
      await rig.settled();
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
    const docs = nodeIssues(repo, spec).find((i) => readMarker(i.body, "node")?.node.id === "docs");
    expect(docs).toMatchObject({ state: "closed", stateReason: "not_planned" });
    const dashboard = commentsOn(repo, spec).filter((c) => readMarker(c.body, "dashboard"));
    expect(dashboard).toHaveLength(1);
    expect(readMarker(dashboard[0]?.body, "dashboard")?.nodeOrder).toEqual(["api", "ui", "wire"]);
    expect(readdirSync(rig.runsDir).length).toBeGreaterThan(1);
  });
});

describe("the planner explores before it plans", () => {
  const maintainer = { login: "maintainer", id: 77, type: "User" as const };
  const plannerRequests = () =>
    rig.anthropic.requests.filter((r) =>
      JSON.stringify(r.body.system).includes("You are the planner of swarm"),
    );
  const toolCallsIn = (lines: Awaited<ReturnType<typeof readTrace>>) =>
    lines.flatMap((l) =>
      (l.response?.content ?? []).flatMap((b) =>
        b.type === "tool_use" ? [`${b.name}:${JSON.stringify(b.input)}`] : [],
      ),
    );

  it("views files and runs commands with read-only tools, is refused every write, then plans; the trace has the calls", async () => {
    const script = agentScript([
      (shown, request) => {
        saw(shown, "(repository view)", "src/index.ts");
        expect(request.tools?.map((t) => ("name" in t ? t.name : t.type))).toEqual([EDITOR, "bash"]);
        return reply.tool(EDITOR, { command: "view", path: "src/index.ts" });
      },
      (shown) => {
        saw(shown, "export {};");
        return reply.tool("bash", { command: "ls src && grep -rn export src" });
      },
      (shown) => {
        saw(shown, "index.ts", "src/index.ts:1:export {};", "exit code 0");
        // A planner that tries to fix things itself: the editor refuses, the mount is read-only.
        return reply.tool(EDITOR, {
          command: "create",
          path: "src/new.ts",
          file_text: "export const x = 1;\n",
        });
      },
      (shown) => {
        saw(shown, "create is refused: the planner's tools are read-only");
        return reply.tool("bash", { command: "echo changed > src/index.ts" });
      },
      (shown) => {
        saw(shown, "Read-only file system");
        return reply.tool("bash", { command: "cat src/index.ts; ls src" });
      },
      (shown) => {
        saw(shown, "export {};");
        notSaw(shown, "changed", "new.ts");
        return reply.json(plan);
      },
    ]);
    rig.anthropic.setModel(script);
    try {
      const repo = newRepo();
      const spec = rig.github.openIssue(repo, "Look first", SPEC_BODY);
      rig.github.labelIssue(repo, spec, "swarm", maintainer);
      await rig.settled();
      expect(script.missed).toEqual([]);
      const outcome = rig.outcomes.at(-1);
      expect(outcome).toMatchObject({ kind: "planned", turns: 6 });
      expect(nodeIssues(repo, spec)).toHaveLength(4);
      const runId = outcome?.kind === "planned" ? outcome.runId : "";
      const lines = await readTrace(join(rig.runsDir, runId, "trace.jsonl"));
      expect(lines.map((l) => l.role)).toEqual(Array(6).fill("planner"));
      expect(toolCallsIn(lines)).toEqual([
        `${EDITOR}:{"command":"view","path":"src/index.ts"}`,
        'bash:{"command":"ls src && grep -rn export src"}',
        `${EDITOR}:{"command":"create","path":"src/new.ts","file_text":"export const x = 1;\\n"}`,
        'bash:{"command":"echo changed > src/index.ts"}',
        'bash:{"command":"cat src/index.ts; ls src"}',
      ]);
      // What the tools answered is in the trace too: the refused write is an error the planner read.
      const results = (lines.at(-1)?.request?.messages ?? []).flatMap((m) =>
        typeof m.content === "string"
          ? []
          : m.content.flatMap((b) => (b.type === "tool_result" ? [b.is_error === true] : [])),
      );
      expect(results).toEqual([false, false, true, true, false]);
      expect(git(repo.bare, "show", "main:src/index.ts")).toBe("export {};");
      expect(git(repo.bare, "ls-tree", "-r", "--name-only", "main").split("\n").sort()).toEqual([
        "README.md",
        "src/index.ts",
      ]);
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
  });

  it("closes the tools at limits.maxPlannerTurns: a planner that keeps looking must answer on its last turn", async () => {
    rig.anthropic.setModel((request) =>
      request.tool_choice?.type === "none" ? reply.json(plan) : reply.tool("bash", { command: "ls -R" }),
    );
    try {
      const repo = newRepo({ ".github/swarm.yml": "limits:\n  maxPlannerTurns: 3\n" });
      const spec = rig.github.openIssue(repo, "Keeps looking", SPEC_BODY);
      const before = plannerRequests().length;
      rig.github.labelIssue(repo, spec, "swarm", maintainer);
      await rig.settled();
      expect(rig.outcomes.at(-1)).toMatchObject({ kind: "planned", turns: 3 });
      const sent = plannerRequests()
        .slice(before)
        .map((r) => r.body);
      expect(sent.map((b) => b.tool_choice?.type ?? "auto")).toEqual(["auto", "auto", "none"]);
      expect(shownLast(must(sent[2], "the last request"))).toContain(
        "This is your last turn: the tools are closed now. Answer with what you have found.",
      );
      expect(JSON.stringify(sent[0]?.messages[0])).toContain("You have at most 3 turns");
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
  });

  it("fails with a comment naming limits.maxPlannerTurns when the planner gives no plan once the tools close", async () => {
    rig.anthropic.setModel((request) =>
      request.tool_choice?.type === "none"
        ? reply.text("I have not finished looking around; I need more turns.")
        : reply.tool("bash", { command: "grep -rn TODO ." }),
    );
    try {
      const repo = newRepo({ ".github/swarm.yml": "limits:\n  maxPlannerTurns: 2\n" });
      const spec = rig.github.openIssue(repo, "Never answers", SPEC_BODY);
      const before = plannerRequests().length;
      rig.github.labelIssue(repo, spec, "swarm", maintainer);
      await rig.settled();
      expect(rig.outcomes.at(-1)?.kind).toBe("failed");
      // Two turns, then two repair turns with the tools still closed.
      const sent = plannerRequests()
        .slice(before)
        .map((r) => r.body.tool_choice?.type ?? "auto");
      expect(sent).toEqual(["auto", "none", "none", "none"]);
      const comment = commentsOn(repo, spec).find((c) => c.body.includes("swarm could not plan this issue"));
      expect(comment?.body).toContain(
        "The planner explored until its turn limit (limits.maxPlannerTurns is 2), and the plan it then gave still had problems after 3 tries.",
      );
      expect(comment?.body).toContain("Raise limits.maxPlannerTurns in .github/swarm.yml");
      expect(nodeIssues(repo, spec)).toEqual([]);
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
  });

  it("sends a plan whose test node runs beside the code it tests back with the fix, and lays out the repaired plan", async () => {
    const apart: Plan = {
      ...plan,
      nodes: [
        ...plan.nodes,
        node("api-tests", [], ["test/api/**"], { title: "Test the API", role: "test", size: "S" }),
      ],
    };
    const together: Plan = {
      ...plan,
      nodes: plan.nodes.map((n) => (n.id === "api" ? { ...n, owns: ["src/api/**", "test/api/**"] } : n)),
    };
    rig.anthropic.setModel(inOrder(reply.json(apart), reply.json(together)));
    try {
      const repo = newRepo();
      const spec = rig.github.openIssue(repo, "Tests apart", SPEC_BODY);
      const before = plannerRequests().length;
      rig.github.labelIssue(repo, spec, "swarm", maintainer);
      await rig.settled();
      expect(rig.outcomes.at(-1)).toMatchObject({ kind: "planned", turns: 2 });
      const second = must(plannerRequests().slice(before)[1], "the planner's second request").body;
      const told = shownLast(second);
      expect(told).toContain("Your plan has these problems:");
      expect(told).toContain(
        'Node "api-tests" owns only tests ("test/api/**") of code that node "api" owns ("src/api/**"), but neither depends on the other',
      );
      expect(told).toContain('make "api-tests" depend on "api", or merge the tests into "api"');
      expect(nodeIssues(repo, spec).map((i) => readMarker(i.body, "node")?.node.owns)).toContainEqual([
        "src/api/**",
        "test/api/**",
      ]);
    } finally {
      rig.anthropic.setModel(() => reply.json(plan));
    }
  });
});

describe("commands on the spec issue", () => {
  const maintainer = { login: "maintainer", id: 77, type: "User" as const };

  it("answers /swarm help and an unknown command with the commands it understands", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Help me", SPEC_BODY);
    const help = rig.github.commentAs(repo, spec, "/swarm help", maintainer);
    rig.github.commentAs(repo, spec, "/swarm dance", maintainer);
    await rig.settled();
    const answers = commentsOn(repo, spec).filter((c) => c.user.login === "swarm-app[bot]");
    expect(answers).toHaveLength(2);
    expect(answers.every((c) => c.body.includes("| `/swarm replan` |"))).toBe(true);
    expect(answers.some((c) => c.body.startsWith("`/swarm dance` is not a swarm command."))).toBe(true);
    expect(help.reactions.map((r) => r.content)).toEqual(["eyes"]);
  });

  it("refreshes the dashboard from GitHub alone on /swarm status", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Status please", SPEC_BODY);
    rig.github.labelIssue(repo, spec, "swarm", maintainer);
    await rig.settled();
    const dashboard = commentsOn(repo, spec).find((c) => readMarker(c.body, "dashboard"));
    if (dashboard) dashboard.body = dashboard.body.replace("```mermaid", "(garbled)"); // as if someone edited it
    rig.github.commentAs(repo, spec, "/swarm status", maintainer);
    await rig.settled();
    expect(dashboard?.body).toContain("```mermaid");
    expect(dashboard?.body).toContain("0 of 4 nodes done (refreshed on request).");
    expect(rig.commandOutcomes.at(-1)).toEqual({ kind: "answered", verb: "status" });
  });

  it("answers /swarm cancel, retry and revise on an issue that has no run, and changes nothing", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Nothing yet", SPEC_BODY);
    for (const command of ["/swarm cancel", "/swarm retry", "/swarm revise make it faster"])
      rig.github.commentAs(repo, spec, command, maintainer);
    await rig.settled();
    const answers = commentsOn(repo, spec)
      .filter((c) => c.user.login === "swarm-app[bot]")
      .map((c) => c.body.split("\n")[0]);
    expect(answers.sort()).toEqual(
      [
        "swarm has no run to cancel on this issue.",
        `@${maintainer.login}: swarm has no run here to retry. Add the \`swarm\` label to the issue to start one.`,
        `@${maintainer.login}: swarm has no run here to revise. \`/swarm revise\` works on a swarm pull request or its spec issue.`,
      ].sort(),
    );
    expect(nodeIssues(repo, spec)).toEqual([]);
  });

  it("refuses commands from people without write access, and ignores bots", async () => {
    const repo = newRepo();
    const spec = rig.github.openIssue(repo, "Not yours", SPEC_BODY);
    rig.github.commentAs(repo, spec, "/swarm plan", { login: "helper", id: 78, type: "User" });
    rig.github.commentAs(repo, spec, "/swarm help", { login: "ci-helper[bot]", id: 81, type: "Bot" });
    await rig.settled();
    const answers = commentsOn(repo, spec).filter((c) => c.user.login === "swarm-app[bot]");
    expect(answers.map((c) => c.body.split("\n")[0])).toEqual([
      "@helper, only people with write access to this repository can start swarm (you have triage access). Ask a maintainer to add the label or run the command.",
    ]);
    expect(nodeIssues(repo, spec)).toEqual([]);
  });
});
