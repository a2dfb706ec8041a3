import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readMarker } from "../../src/domain/markers.js";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { git } from "../support/fake-github/bare-repo.js";
import { type FakeGitHub, isWrite, startFakeGitHub } from "../support/fake-github/server.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { node } from "../support/plans.js";
import { requireRedis } from "../support/require-redis.js";
import { createStatsLibraryRepo, statsLibraryModel } from "../support/stats-library.js";

// The GitHub Action's entry point (`swarm action`, as action.yml runs it) given what a workflow job gets:
// the event file at GITHUB_EVENT_PATH, GITHUB_EVENT_NAME, GITHUB_REPOSITORY, GITHUB_API_URL and a
// GITHUB_TOKEN, against the fake GitHub and the fake Anthropic API.
const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
let github: FakeGitHub;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  github = await startFakeGitHub();
  anthropic = await startFakeAnthropic({
    model: (req: MessageCreateParams) => {
      if (JSON.stringify(req.system).includes("You are the planner of swarm"))
        return reply.json({
          summary: "The API, then its docs.",
          nodes: [node("api", [], ["src/api.js"]), node("docs", ["api"], ["README.md"], { role: "docs" })],
        });
      const id = /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(req.messages[0]))?.[1] ?? "";
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      if (turn === 0)
        return call.create(
          id === "docs" ? "README.md" : "src/api.js",
          id === "docs" ? "# app\n\nCall `api()`.\n" : "export const api = () => 1;\n",
        );
      if (turn === 1) return call.finish(`Built ${id}.`);
      return reply.text("Done.");
    },
  });
});
afterAll(async () => {
  await github.stop();
  await anthropic.stop();
});

/** What GitHub sends a workflow for `issues: labeled` (the fields of GitHub's payload; no installation). */
function labeledEvent(repo: RepoState, issue: Issue, sender: { login: string; type: string }) {
  const dir = mkdtempSync(join(tmpdir(), "swarm-action-event-"));
  const path = join(dir, "event.json");
  writeFileSync(
    path,
    JSON.stringify({
      action: "labeled",
      issue: { number: issue.number, title: issue.title, body: issue.body, labels: [{ name: "swarm" }] },
      label: { name: "swarm" },
      repository: { name: repo.name, full_name: `acme/${repo.name}`, owner: { login: "acme" } },
      sender,
    }),
  );
  return path;
}

const action = (env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bin, "action"], { env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

function actionsEnv(repo: RepoState, eventPath: string): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: "issues",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `acme/${repo.name}`,
    GITHUB_API_URL: github.url,
    GITHUB_WORKSPACE: mkdtempSync(join(tmpdir(), "swarm-action-ws-")),
    RUNNER_TEMP: tmpdir(),
    SWARM_GITHUB_TOKEN: github.actionsToken(),
    ANTHROPIC_API_KEY: anthropic.apiKey,
    ANTHROPIC_BASE_URL: anthropic.url,
    SWARM_RUNS_DIR: mkdtempSync(join(tmpdir(), "swarm-action-runs-")),
  };
}

describe("swarm action", () => {
  it("names each missing variable and exits 2 (bad input) outside a workflow", async () => {
    const r = await action({});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("swarm action cannot start; fix these environment variables:");
    expect(r.stderr).toContain("GITHUB_EVENT_NAME:");
    expect(r.stderr).toContain("SWARM_GITHUB_TOKEN: pass the action's github-token input");
  });

  it("on a labelled issue, plans it, codes the nodes and opens the pull request, in the job", async () => {
    const repo = github.createRepo("acme", "action-app", { "README.md": "# app\n" }, { gitOverHttp: true });
    repo.permissions.set("octo", "write");
    const spec = github.openIssue(repo, "Add the API", "Add an API module and document it.");
    const r = await action(actionsEnv(repo, labeledEvent(repo, spec, { login: "octo", type: "User" })));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("swarm action: plan: planned: 2 nodes");
    const nodes = [...repo.issues.values()].filter((i) => readMarker(i.body, "node")?.spec === spec.number);
    expect(nodes.map((i) => [i.title, i.state])).toEqual([
      ["[api] Node api", "closed"],
      ["[docs] Node docs", "closed"],
    ]);
    const dashboard = [...repo.comments.values()].find(
      (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
    );
    expect(dashboard?.body).toContain("flowchart");
    const pulls = [...repo.pulls.values()];
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.title).toBe("Add the API");
    // Every call carried the workflow's token; git went over HTTP with it too.
    expect(
      github.gitRequests.filter((g) => g.path.includes("/action-app.git/")).every((g) => g.authorized),
    ).toBe(true);
    expect(github.gitRequests.some((g) => g.path.includes("/action-app.git/"))).toBe(true);
  }, 60_000);

  it("ignores a label added by a bot, and writes nothing", async () => {
    const repo = github.createRepo("acme", "action-bot", { "README.md": "# app\n" });
    const spec = github.openIssue(repo, "Add the API", "Add an API module.");
    const before = github.requests.length;
    const r = await action(actionsEnv(repo, labeledEvent(repo, spec, { login: "swarm[bot]", type: "Bot" })));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("swarm action: ignored:");
    expect(github.requests.slice(before).filter(isWrite)).toEqual([]);
  });

  it("with redis-url, queues the job for swarm's workers instead of doing it", async () => {
    await requireRedis();
    const repo = github.createRepo("acme", "action-queued", { "README.md": "# app\n" });
    repo.permissions.set("octo", "write");
    const spec = github.openIssue(repo, "Add the API", "Add an API module.");
    const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
    const r = await action({
      ...actionsEnv(repo, labeledEvent(repo, spec, { login: "octo", type: "User" })),
      REDIS_URL: "redis://127.0.0.1:6379",
      SWARM_PREFIX: prefix,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`swarm action: queued plan job plan-acme-action-queued-${spec.number}`);
    const queue = new Queue("plan", { connection: { host: "127.0.0.1", port: 6379 }, prefix });
    const job = await queue.getJob(`plan-acme-action-queued-${spec.number}`);
    expect(job?.data.spec).toEqual({ number: spec.number, title: "Add the API", body: "Add an API module." });
    await queue.obliterate({ force: true });
    await queue.close();
    // Nothing was written to GitHub: the workers do the work.
    expect(repo.comments.size).toBe(0);
  });

  it("action.yml runs this entry point with the variables it reads, for the events the example workflow sends", () => {
    const root = resolve(import.meta.dirname, "../..");
    const manifest = parse(readFileSync(join(root, "action.yml"), "utf8"));
    const step = manifest.runs.steps.find((s: { name?: string }) => s.name?.startsWith("Act on"));
    expect(step.run).toBe('node "$GITHUB_ACTION_PATH/bin/swarm.js" action');
    expect(Object.keys(step.env).sort()).toEqual(
      ["ANTHROPIC_API_KEY", "REDIS_URL", "SWARM_GITHUB_TOKEN", "SWARM_RUNS_DIR"].sort(),
    );
    const workflow = parse(readFileSync(join(root, ".github/examples/swarm.yml"), "utf8"));
    expect(Object.keys(workflow.on).sort()).toEqual([
      "check_suite",
      "issue_comment",
      "issues",
      "pull_request_review",
      "workflow_run",
    ]);
    // A tick of the approval box is an edit; swarm's own edits of its dashboard start no job.
    expect(workflow.on.issue_comment.types).toEqual(["created", "edited"]);
    expect(workflow.jobs.swarm.if).toContain("github.event.sender.type != 'Bot'");
  });

  it("takes a run through review in later jobs (check_suite, then workflow_run): failed checks revise the node at fault, then green", async () => {
    anthropic.setModel(statsLibraryModel);
    // GitHub's check_suite deliveries, as the workflow would receive them (nothing listens at this address).
    github.webhooks.deliverTo("http://127.0.0.1:9/", "unused");
    const repo = createStatsLibraryRepo(github, "action-stats");
    repo.permissions.set("octo", "write");
    const spec = github.openIssue(repo, "Add summary statistics", "A mean and a summary line.");
    const planned = await action(actionsEnv(repo, labeledEvent(repo, spec, { login: "octo", type: "User" })));
    expect(planned.code, planned.stderr).toBe(0);
    const pull = () => [...repo.pulls.values()][0];
    expect(pull()).toBeDefined();
    const headSha = () => git(repo.bare, "rev-parse", `refs/heads/${pull()?.head}`).trim();

    // Each later job gets the check_suite event of the PR's head, once CI has finished there.
    // `check_suite` (from the fake's CI, as GitHub delivers it), or `workflow_run`, as the example workflow
    // receives when the validation workflow completes: GitHub's own example payload, for this run's head.
    const reviewJob = async (event: "check_suite" | "workflow_run") => {
      await github.ci.settled();
      await github.webhooks.settled(); // its deliveries are made one at a time, after the push events
      const head = headSha();
      const delivery = github.webhooks.deliveries.findLast(
        (d) => d.event === "check_suite" && JSON.parse(d.body).check_suite.head_sha === head,
      );
      expect(delivery, `no check_suite delivery for ${head}`).toBeDefined();
      const suite = JSON.parse(delivery?.body ?? "{}");
      const example = examples
        .find((e) => e.name === "workflow_run")
        ?.examples.find((x) => (x as { action?: string }).action === "completed") as { workflow_run: object };
      const body =
        event === "check_suite"
          ? suite
          : {
              ...example,
              workflow_run: {
                ...example.workflow_run,
                head_sha: head,
                head_branch: pull()?.head,
                conclusion: suite.check_suite.conclusion,
                pull_requests: suite.check_suite.pull_requests,
              },
              repository: suite.repository,
              sender: suite.sender,
              installation: undefined,
            };
      const dir = mkdtempSync(join(tmpdir(), "swarm-action-event-"));
      writeFileSync(join(dir, "event.json"), JSON.stringify(body));
      return action({ ...actionsEnv(repo, join(dir, "event.json")), GITHUB_EVENT_NAME: event });
    };
    const firstHead = headSha();
    const revised = await reviewJob("check_suite");
    expect(revised.code, revised.stderr).toBe(0);
    expect(revised.stdout).toContain("swarm action: review: revising");
    expect(headSha()).not.toBe(firstHead);
    const reviewed = await reviewJob("workflow_run");
    expect(reviewed.stdout).toContain("swarm action: review: green");
    expect(pull()?.draft).toBe(false);
    const swarmCheck = [...repo.checkRuns.values()].find(
      (c) => c.name === "swarm" && c.headSha === headSha(),
    );
    expect(swarmCheck?.conclusion).toBe("success");
    // Only `stats` was coded again.
    const coderStarts = anthropic.requests
      .filter((q) => JSON.stringify(q.body.system).includes("You are a coder of swarm"))
      .filter((q) => q.body.messages.length === 1)
      .map((q) => /Your node: `([a-z]+)`/.exec(JSON.stringify(q.body.messages[0]))?.[1]);
    expect(coderStarts.filter((id) => id === "stats")).toHaveLength(2);
    expect(coderStarts.filter((id) => id === "core")).toHaveLength(1);

    // A person asks for the status in a comment: the issue_comment job answers it.
    repo.permissions.set("acme", "admin");
    const asked = github.commentAs(repo, spec, "/swarm status");
    await github.webhooks.settled();
    const commented = github.webhooks.deliveries.findLast((d) => d.event === "issue_comment");
    const dir = mkdtempSync(join(tmpdir(), "swarm-action-event-"));
    writeFileSync(join(dir, "event.json"), commented?.body ?? "");
    const status = await action({
      ...actionsEnv(repo, join(dir, "event.json")),
      GITHUB_EVENT_NAME: "issue_comment",
    });
    expect(status.code, status.stderr).toBe(0);
    expect(asked.reactions.map((r) => r.content)).toContain("eyes");
    expect(status.stdout).toContain('swarm action: command: {"kind":"answered","verb":"status"}');
    // /swarm status refreshes the dashboard in place.
    const board = [...repo.comments.values()].find(
      (c) => c.issueNumber === spec.number && readMarker(c.body, "dashboard"),
    );
    expect(board?.body).toContain("swarm · green");
    expect(board?.body).toContain("(refreshed on request)");
  }, 120_000);
});
