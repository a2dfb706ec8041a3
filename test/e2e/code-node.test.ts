import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { readMarker } from "../../src/domain/markers.js";
import { codeNode } from "../../src/pipeline/code/code-node.js";
import type { Forge } from "../../src/pipeline/forge.js";
import { parseFailures } from "../../src/sandbox/parse/parse-failures.js";
import { runSandboxed } from "../../src/sandbox/run-sandboxed.js";
import { changedFiles, commitAndPush, prepareNodeCopy } from "../../src/workspace/git-workspace.js";
import { openWorkingCopy } from "../../src/workspace/local-working-copy.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { git } from "../support/fake-github/bare-repo.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { forgeFor } from "../support/github-rig.js";
import { modelClientFor } from "../support/model-rig.js";
import { node } from "../support/plans.js";

const CHECK = `grep -q hello src/api/hello.ts 2>/dev/null && echo "checks pass" || { echo "src/api/hello.ts:1:1: error: hello is missing"; exit 1; }\n`;
const config = RepoConfigSchema.parse({
  validation: { commands: ["sh check.sh"] },
  limits: { maxCoderTurns: 10 },
});

let github: FakeGitHub;
let anthropic: FakeAnthropic;
let repo: RepoState;
beforeAll(async () => {
  github = await startFakeGitHub();
  anthropic = await startFakeAnthropic();
  repo = github.createRepo("acme", "app", {
    "check.sh": CHECK,
    ".github/workflows/ci.yml": "on: push\n",
    "src/api/index.ts": "export {};\n",
    "src/ui/index.ts": "export {};\n",
  });
});
afterAll(async () => {
  await github.stop();
  await anthropic.stop();
});
afterEach(() => {
  expect(github.violations.splice(0)).toEqual([]);
});

async function run(nodeId: string, forge: Forge, nodeConfig = config) {
  const spec = github.openIssue(repo, "Say hello", "Add a hello export to the API.");
  const apiNode = node(nodeId, [], ["src/api/**"], {
    title: "Add hello",
    acceptance: ["src/api/hello.ts exports hello"],
  });
  const branch = `swarm/${spec.number}-say-hello/${nodeId}`;
  const nodeIssue = await forge.ensureNodeIssue(spec.number, apiNode, "running", branch);
  const remote = `file://${repo.bare}`;
  const { client } = modelClientFor(anthropic, { config: { limits: { maxCoderTurns: 10 } } });
  const outcome = await codeNode(
    {
      runId: `run-${nodeId}`,
      spec: { number: spec.number, title: spec.title, body: spec.body ?? "" },
      planSummary: "One node.",
      node: apiNode,
      nodeIssue,
      branch,
    },
    {
      forge,
      model: client,
      config: nodeConfig,
      prepare: async () => {
        const dir = await prepareNodeCopy({ remote, auth: {}, base: "main", branch, dependencyBranches: [] });
        return { dir, copy: await openWorkingCopy(dir) };
      },
      runChecks: async (dir) => {
        const r = await runSandboxed({ cwd: dir, command: config.validation.commands.join(" && ") });
        return {
          passed: r.exitCode === 0,
          summary: r.stdoutTail.trim().split("\n").at(-1) ?? "",
          failures: parseFailures(`${r.stdoutTail}\n${r.stderrTail}`),
        };
      },
      changedFiles,
      commitAndPush: (dir, files, message) =>
        commitAndPush({ dir, remote, auth: {}, branch, files, message }),
      isCancelled: async () => false,
    },
  );
  return { outcome, branch, nodeIssue, spec };
}

const toolResults = () =>
  (anthropic.requests.at(-1)?.body.messages ?? [])
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .flatMap((b) => (b.type === "tool_result" ? [String(b.content)] : []));

describe("a node, coded", () => {
  it("refuses writes outside the node's files and to protected paths; only the node's file lands on the branch", async () => {
    anthropic.setModel(
      inOrder(
        reply.tool("create_file", { path: "src/ui/evil.ts", text: "export const evil = 1;\n" }),
        reply.tool("str_replace", {
          path: ".github/workflows/ci.yml",
          old_text: "on: push",
          new_text: "on: [push, pull_request]",
        }),
        reply.tool("create_file", { path: "src/api/hello.ts", text: 'export const hello = "hello";\n' }),
        reply.tool("run_checks", {}),
        reply.tool("finish", {
          summary: "Added src/api/hello.ts with the hello export.",
          handoff: "Import { hello } from src/api/hello.ts.",
        }),
        reply.text("Done."),
      ),
    );
    const forge = forgeFor(github, repo);
    const { outcome, branch, nodeIssue } = await run("api", forge);
    expect(outcome).toBe("done");

    const results = toolResults();
    expect(results[0]).toMatch(
      /^Refused: Node "api" may change only the files it owns \(`src\/api\/\*\*`\), and `src\/ui\/evil.ts` is not one of them\. If it needs a change, write a handoff note/,
    );
    expect(results[1]).toMatch(
      /^Refused: `\.github\/workflows\/ci\.yml` is protected by the repository's configuration/,
    );
    expect(results[2]).toBe("Wrote src/api/hello.ts (2 lines).");
    expect(results[3]).toContain("Checks passed.");

    expect(git(repo.bare, "diff", "--name-only", "main", branch).split("\n")).toEqual(["src/api/hello.ts"]);
    expect(git(repo.bare, "log", "--format=%s", `main..${branch}`)).toBe("Add hello");
    const issue = repo.issues.get(nodeIssue.number);
    expect(issue).toMatchObject({ state: "closed", stateReason: "completed" });
    expect(readMarker(issue?.body, "node")?.status).toBe("done");
    const summary = [...repo.comments.values()].find((c) => c.issueNumber === nodeIssue.number);
    expect(summary?.body).toContain("Added src/api/hello.ts with the hello export.");
    expect(summary?.body).toContain(
      "**For the nodes that depend on this one:** Import { hello } from src/api/hello.ts.",
    );
  });

  it("fails a node whose checks still fail at the end, with the last failures on its sub-issue", async () => {
    anthropic.setModel(inOrder(reply.tool("run_checks", {}), reply.text("I could not make it pass.")));
    const forge = forgeFor(github, repo);
    const { outcome, branch, nodeIssue } = await run("api-broken", forge);
    expect(outcome).toBe("failed");
    const issue = repo.issues.get(nodeIssue.number);
    expect(issue?.state).toBe("open");
    expect(readMarker(issue?.body, "node")?.status).toBe("failed");
    const comment = [...repo.comments.values()].find((c) => c.issueNumber === nodeIssue.number);
    expect(comment?.body).toContain("**Node `api-broken` failed:** its checks still fail");
    expect(comment?.body).toContain("- `src/api/hello.ts:1` error: hello is missing");
    expect(() => git(repo.bare, "rev-parse", "--verify", `refs/heads/${branch}`)).toThrow();
  });
});

describe("per-node limits", () => {
  it("stops the coder at the node's cost limit; the checks then decide, and the sub-issue says which limit", async () => {
    anthropic.setModel(() => reply.tool("view_file", { path: "src/api/index.ts" }));
    const tight = RepoConfigSchema.parse({
      validation: { commands: ["sh check.sh"] },
      limits: { maxCoderTurns: 10, maxUsdPerNode: 0.0001 },
    });
    const { outcome, nodeIssue } = await run("api-costly", forgeFor(github, repo), tight);
    expect(outcome).toBe("failed");
    const comment = [...repo.comments.values()].find((c) => c.issueNumber === nodeIssue.number);
    expect(comment?.body).toMatch(/its checks still fail after 1 turns \(cost-limit\)/);
  });
});
