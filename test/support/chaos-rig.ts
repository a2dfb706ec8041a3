// swarm as it is deployed, for the chaos suite: its own redis-server (started and stopped here, by pid),
// a real `swarm server` receiving the fake GitHub's webhooks, and real `swarm worker` processes, against the
// fake GitHub (with CI) and the fake Messages API. Tests kill and wipe parts of it and expect a green run.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { readMarker } from "../../src/domain/markers.js";
import type { ScriptedModel, ScriptedReply } from "./fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "./fake-anthropic/server.js";
import { git } from "./fake-github/bare-repo.js";
import { type FakeGitHub, startFakeGitHub } from "./fake-github/server.js";
import type { Issue, RepoState } from "./fake-github/state.js";
import { startPrivateRedis } from "./private-redis.js";
import { createStatsLibraryRepo, statsLibraryModel } from "./stats-library.js";

const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const SECRET = "chaos-webhook-secret";
/** How soon a dead worker's jobs and locks are taken up: the setting the suite runs with. */
export const STALLED_MS = 1000;

/** A role's call as the scripted model sees it, for hooks that delay, fail or watch calls. */
/** The reviewer's check of a green head against the spec is `spec-check`; its review of failures, `reviewer`. */
export type ModelCall = {
  role: "planner" | "coder" | "reviewer" | "spec-check" | "other";
  node: string;
  turn: number;
};
export type ModelHook = (
  call: ModelCall,
  req: MessageCreateParams,
) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>;

function roleOf(req: MessageCreateParams): ModelCall {
  const system = JSON.stringify(req.system);
  const text = JSON.stringify(req.messages[0]);
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  const role = system.includes("You are the planner of swarm")
    ? "planner"
    : system.includes("You are the reviewer of swarm")
      ? text.includes("check the change against the spec")
        ? "spec-check"
        : "reviewer"
      : system.includes("You are a coder of swarm")
        ? "coder"
        : "other";
  return { role, node: /Your node: `([a-z0-9-]+)`/.exec(text)?.[1] ?? "", turn };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Proc = { child: ChildProcess; output: string; name: string };

export async function startChaosRig(
  options: { workers?: number; hook?: ModelHook; deliveries?: number; env?: Record<string, string> } = {},
) {
  const redis = await startPrivateRedis();
  const github: FakeGitHub = await startFakeGitHub();
  let hook = options.hook;
  /** What the scripted model was asked, by role, in order. */
  const calls: ModelCall[] = [];
  const model: ScriptedModel = async (req) => {
    const call = roleOf(req);
    calls.push(call);
    return (await hook?.(call, req)) ?? statsLibraryModel(req);
  };
  const anthropic: FakeAnthropic = await startFakeAnthropic({ model });
  const scratch = mkdtempSync(join(tmpdir(), "swarm-chaos-"));
  const prefix = "swarm";
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    REDIS_URL: redis.url,
    SWARM_PREFIX: prefix,
    GITHUB_API_URL: github.url,
  };
  const procs: Proc[] = [];
  const watch = (name: string, child: ChildProcess): Proc => {
    const p: Proc = { child, output: "", name };
    child.stdout?.on("data", (d) => {
      p.output += d;
    });
    child.stderr?.on("data", (d) => {
      p.output += d;
    });
    procs.push(p);
    return p;
  };

  const server = watch(
    "server",
    spawn(process.execPath, [bin, "server"], {
      env: {
        ...env,
        APP_ID: String(github.app.id),
        PRIVATE_KEY: github.app.privateKey,
        WEBHOOK_SECRET: SECRET,
        PORT: "0",
        HOST: "127.0.0.1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  const url = await new Promise<string>((done, fail) => {
    const timer = setInterval(() => {
      const found = /listening on (\S+)/.exec(server.output)?.[1];
      if (found) {
        clearInterval(timer);
        done(found);
      }
    }, 20);
    server.child.on("exit", (code) => fail(new Error(`swarm server exited (${code}):\n${server.output}`)));
  });
  github.webhooks.deliverTo(`${url}/api/github/webhooks`, SECRET, { times: options.deliveries ?? 3 });

  let workerCount = 0;
  const workers: Proc[] = [];
  const spawnWorker = () => {
    const w = watch(
      `worker ${++workerCount}`,
      spawn(process.execPath, [bin, "worker"], {
        env: {
          ...env,
          GITHUB_APP_ID: String(github.app.id),
          GITHUB_PRIVATE_KEY: github.app.privateKey,
          ANTHROPIC_API_KEY: anthropic.apiKey,
          ANTHROPIC_BASE_URL: anthropic.url,
          SWARM_RUNS_DIR: join(scratch, "runs"),
          SWARM_MIRRORS_DIR: join(scratch, `mirrors-${workerCount}`),
          SWARM_CACHE_DIR: join(scratch, "cache"),
          SWARM_CONCURRENCY: "2",
          SWARM_STALLED_INTERVAL_MS: String(STALLED_MS),
          SWARM_SWEEP_INTERVAL_MS: String(STALLED_MS * 2),
          ...options.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    workers.push(w);
    return w;
  };
  for (let i = 0; i < (options.workers ?? 3); i++) spawnWorker();
  const alive = () => workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const kill = async (w: Proc) => {
    if (w.child.exitCode !== null || w.child.signalCode !== null) return;
    const exited = new Promise((r) => w.child.once("exit", r));
    w.child.kill("SIGKILL");
    await exited;
  };

  let repo: RepoState | undefined;
  let spec: Issue | undefined;
  const dashboards = () =>
    [...(repo?.comments.values() ?? [])].filter(
      (c) => readMarker(c.body, "dashboard")?.spec === spec?.number,
    );
  const dashboard = () => readMarker(dashboards()[0]?.body, "dashboard");
  const nodeIssues = () =>
    [...(repo?.issues.values() ?? [])].filter((i) => readMarker(i.body, "node")?.spec === spec?.number);
  const pulls = () => [...(repo?.pulls.values() ?? [])];

  /** The run as GitHub shows it: the dashboard, each node's status, and the comments swarm left. */
  const describe = () =>
    [
      `dashboard: ${JSON.stringify(dashboard())}`,
      ...nodeIssues().map(
        (i) => `node ${readMarker(i.body, "node")?.node.id}: ${readMarker(i.body, "node")?.status}`,
      ),
      ...[...(repo?.comments.values() ?? [])].map(
        (c) => `comment on #${c.issueNumber}: ${c.body.slice(0, 300)}`,
      ),
      ...pulls().map(
        (p) =>
          `PR #${p.number} ${p.head} at ${repo ? git(repo.bare, "rev-parse", p.head).slice(0, 7) : ""}, draft ${p.draft}; checks: ${[
            ...(repo?.checkRuns.values() ?? []),
          ]
            .map((c) => `${c.name}@${c.headSha.slice(0, 7)}=${c.status}/${c.conclusion}`)
            .join(", ")}`,
      ),
      "last requests:",
      ...github.requests.slice(-40).map((q) => `  ${q.method} ${q.template ?? q.path} ${q.status}`),
    ].join("\n");
  const logs = () => procs.map((p) => `--- ${p.name}\n${p.output.slice(-3000)}`).join("\n");
  const rig = {
    github,
    anthropic,
    redis,
    calls,
    workers,
    alive,
    spawnWorker,
    kill,
    async killAll() {
      for (const w of alive()) await kill(w);
    },
    /** Three fresh workers, as a rolling deploy brings them back. */
    respawn(n = options.workers ?? 3) {
      for (let i = 0; i < n; i++) spawnWorker();
    },
    setHook(next: ModelHook | undefined) {
      hook = next;
    },
    get repo() {
      return repo as RepoState;
    },
    get spec() {
      return spec as Issue;
    },
    dashboard,
    dashboards,
    nodeIssues,
    pulls,
    logs,
    describe,
    /** A person opens the stats-library spec and labels it `swarm`. */
    label(name = "stats") {
      repo = createStatsLibraryRepo(github, name);
      spec = github.openIssue(
        repo,
        "Stats library",
        "Write a small statistics library: `summary(xs)` prints the mean with two decimals.",
      );
      github.labelIssue(repo, spec, "swarm");
    },
    /** A person with write access comments on the spec issue (a `/swarm` command). */
    comment(body: string) {
      return github.commentAs(repo as RepoState, spec as Issue, body);
    },
    /** The comments on issue `number` (the spec's by default), oldest first. */
    commentsOn(number = spec?.number ?? 0) {
      return [...(repo?.comments.values() ?? [])].filter((c) => c.issueNumber === number).map((c) => c.body);
    },
    /** Polls `condition` until it holds, or fails with what every process said. */
    async until(what: string, condition: () => boolean | Promise<boolean>, ms = 120_000) {
      const end = Date.now() + ms;
      while (!(await condition())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ${rig.describe()}\n${logs()}`);
        await sleep(50);
      }
    },
    /** Waits for the run to be green with its PR ready for review. */
    async green(ms = 150_000) {
      await rig.until(
        "a green run",
        () => dashboard()?.status === "green" && pulls().some((p) => !p.draft),
        ms,
      );
    },
    /**
     * What must hold whatever happened on the way: one dashboard, one PR, and per node one sub-issue, one
     * summary (edited by a revision) and one series of commits: its work once, and `stats`'s one revision.
     */
    invariants() {
      const problems: string[] = [];
      if (dashboards().length !== 1) problems.push(`${dashboards().length} dashboards`);
      if (pulls().length !== 1) problems.push(`${pulls().length} pull requests`);
      const byNode = new Map<string, Issue[]>();
      for (const issue of nodeIssues()) {
        const id = readMarker(issue.body, "node")?.node.id ?? "?";
        byNode.set(id, [...(byNode.get(id) ?? []), issue]);
      }
      const pull = pulls()[0];
      const head = pull ? pull.head : "";
      for (const [id, issues] of byNode) {
        if (issues.length !== 1) problems.push(`node ${id} has ${issues.length} sub-issues`);
        const issue = issues[0] as Issue;
        // The node's report is in the edit that closes its sub-issue, once; it has no comment of its own.
        const summaries = [
          ...(issue.body ?? "").matchAll(/is done\*\*/g),
          ...[...(repo?.comments.values() ?? [])].filter(
            (c) => c.issueNumber === issue.number && /is done\*\*/.test(c.body),
          ),
        ];
        const marker = readMarker(issue.body, "node");
        if (marker?.status !== "done") problems.push(`node ${id} is ${marker?.status}`);
        const branch = marker?.branch ?? "";
        const own = git(repo?.bare ?? "", "log", "--format=%B%x00", `main..${branch}`)
          .split("\0")
          .filter((b) => new RegExp(`(^|\\n)(Node|A revision of node) ${id} of #`).test(b));
        const revisions = own.filter((b) => b.includes("A revision of node")).length;
        if (own.length - revisions !== 1)
          problems.push(`node ${id} was committed ${own.length - revisions} times`);
        if (summaries.length !== 1) problems.push(`node ${id} has ${summaries.length} summaries`);
        if (id === "stats" && revisions !== 1) problems.push(`stats was revised ${revisions} times`);
      }
      if (byNode.size !== 4) problems.push(`${byNode.size} nodes`);
      if (head && !git(repo?.bare ?? "", "branch", "--list", head)) problems.push("the PR's branch is gone");
      return problems;
    },
    async stop() {
      for (const p of procs)
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
      await Promise.all(
        procs.map((p) =>
          p.child.exitCode !== null || p.child.signalCode !== null
            ? null
            : new Promise((r) => p.child.once("exit", r)),
        ),
      );
      await redis.stop();
      await github.stop();
      await anthropic.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return rig;
}

export type ChaosRig = Awaited<ReturnType<typeof startChaosRig>>;
