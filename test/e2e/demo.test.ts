import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { TEST_DOWNLOADS } from "../support/node-rig.js";
import { todoAppModel } from "../support/todo-app-model.js";

// The offline demo as a user meets it: the README's first command on the built-in example, replaying the
// recorded trace; the same run live against the fake API with the scripted model that recorded it; a run
// that cannot go green; and bad input. Real git, the bubblewrap sandbox, the real SDK over HTTP.
const root = resolve(import.meta.dirname, "../..");
let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({ model: todoAppModel });
});
afterAll(() => anthropic.stop());

type Ran = { code: number | null; stdout: string; stderr: string; runsDir: string };
// Spawned, not spawnSync: the fake API runs in this process and must keep answering.
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Ran> {
  const runsDir = mkdtempSync(join(tmpdir(), "swarm-demo-runs-"));
  return new Promise((done) => {
    const child = spawn(command, args, {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        SWARM_RUNS_DIR: runsDir,
        SWARM_CACHE_DIR: TEST_DOWNLOADS,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr, runsDir }));
  });
}
const swarmRun = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [join(root, "bin/swarm.js"), "run", ...args], env);
const reportOf = (r: Ran, kind: "md" | "html") => {
  const path = new RegExp(`(\\S+/report\\.${kind})`).exec(r.stdout)?.[1];
  if (!path) throw new Error(`no report.${kind} in the output:\n${r.stdout}\n${r.stderr}`);
  return readFileSync(path, "utf8");
};
const callKeys = (trace: string) =>
  trace
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { role: string; node: string | null; turn: number })
    .map((l) => `${l.role}/${l.node ?? ""}/${l.turn}`)
    .sort();

describe("the offline demo", () => {
  it("the README's first command replays the recorded demo to a green result with a report", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const quickStart = /## Quick start\n+```sh\n([^\n]+)\n([^\n]+)\n```/.exec(readme);
    const first = quickStart?.[1]?.replace(/\s+#.*$/, "").trim();
    expect(first).toBe("bash scripts/demo.sh");

    const r = await run("bash", ["-c", first ?? "false"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "ANTHROPIC_API_KEY is not set: the model's answers come from the recorded trace",
    );
    expect(r.stdout).toContain("✔ green: All checks pass.");
    const md = reportOf(r, "md");
    expect(md).toContain("Result: ✅ green");
    // The loop ran: CI failed on the first merge, the reviewer sent `format` back, its revision went green.
    expect(md).toMatch(/`src\/format\.ts:4`: The marks are swapped/);
    expect(md).toMatch(/\| format \| Format the list \| done \| \d+\.\d s \|/);
    expect(md).toMatch(/- \d+\.\d s: revising format \(round 1\)/);
    expect(md).toContain("**npx vitest run**: success");
    const html = reportOf(r, "html");
    expect(html).toContain("<svg");
    expect(html).toMatch(/summary · done/);
    // The timeline: a lane per node; format has a bar for its first run and one for its revision.
    expect(html.match(/<g class="node-bars" data-node="[^"]+">/g)).toEqual([
      '<g class="node-bars" data-node="complete">',
      '<g class="node-bars" data-node="format">',
      '<g class="node-bars" data-node="summary">',
    ]);
    expect(html.match(/<rect class="bar" data-node="format"/g)).toHaveLength(2);
    expect(md).toMatch(/\| format \| \d+\.\d s \| \d+\.\d s \|/);
    // The result is a branch of a repository holding the merged, working code.
    const repo = /result: branch (\S+) in (\S+)/.exec(r.stdout);
    expect(repo).not.toBeNull();
    const show = await run("git", ["-C", repo?.[2] ?? "", "show", `${repo?.[1]}:src/format.ts`]);
    expect(show.stdout).toContain('item.done ? "[x]" : "[ ]"');
  }, 120_000);

  it("runs live against the API with the scripted model that recorded the trace, making the same calls", async () => {
    const r = await swarmRun(["--repo", "examples/todo-app", "--spec", "examples/todo-app.spec.md"], {
      ANTHROPIC_API_KEY: anthropic.apiKey,
      ANTHROPIC_BASE_URL: anthropic.url,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("recorded trace");
    expect(reportOf(r, "md")).toContain("model: the Anthropic API");
    const runDir = /report: (\S+)\/report\.md/.exec(r.stdout)?.[1] ?? "";
    // If this fails, the prompts or the pipeline changed the calls: run `npm run demo:record` and commit.
    expect(callKeys(readFileSync(join(runDir, "trace.jsonl"), "utf8"))).toEqual(
      callKeys(readFileSync(join(root, "examples/todo-app.trace.jsonl"), "utf8")),
    );
  }, 120_000);

  it("on a git repository, makes its branches there, leaves the working tree alone, and numbers a second run after the first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-demo-git-"));
    const repo = join(dir, "todo-app");
    cpSync(join(root, "examples/todo-app"), repo, { recursive: true });
    const git = (...args: string[]) =>
      run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args]);
    await git("init", "-q", "-b", "main");
    await git("add", "-A");
    await git("commit", "-qm", "start");
    writeFileSync(join(repo, "NOTES.md"), "my uncommitted notes\n");
    const replay = ["--replay", join(root, "examples/todo-app.trace.jsonl")];
    const spec = join(root, "examples/todo-app.spec.md");
    const first = await swarmRun(["--repo", repo, "--spec", spec, ...replay]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toContain("works on a copy");
    expect(first.stdout).toContain(
      `result: branch swarm/1-complete-todos-and-print-a-summary/integration in ${repo}`,
    );
    const second = await swarmRun(["--repo", repo, "--spec", spec, ...replay]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("result: branch swarm/2-complete-todos-and-print-a-summary/integration");
    // Still on main, with the person's uncommitted file as it was, and nothing else changed.
    expect((await git("symbolic-ref", "--short", "HEAD")).stdout.trim()).toBe("main");
    expect((await git("status", "--porcelain")).stdout).toBe("?? NOTES.md\n");
    const branches = (await git("branch", "--format=%(refname:short)")).stdout.split("\n").filter(Boolean);
    expect(branches.filter((b) => b.endsWith("/integration")).sort()).toEqual([
      "swarm/1-complete-todos-and-print-a-summary/integration",
      "swarm/2-complete-todos-and-print-a-summary/integration",
    ]);
    expect(branches).toContain("swarm/2-complete-todos-and-print-a-summary/format");
  }, 120_000);

  it("exits 1 and says why when the checks cannot go green", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-demo-red-"));
    cpSync(join(root, "examples/todo-app"), join(dir, "todo-app"), { recursive: true });
    writeFileSync(
      join(dir, "todo-app/.github/swarm.yml"),
      'validation:\n  install: npm ci\n  commands: ["npx tsc --noEmit"]\n  ci: ["node -e \\"console.log(\'the build is red\'); process.exit(3)\\""]\n',
    );
    const r = await swarmRun(
      ["--repo", join(dir, "todo-app"), "--spec", join(root, "examples/todo-app.spec.md")],
      { ANTHROPIC_API_KEY: anthropic.apiKey, ANTHROPIC_BASE_URL: anthropic.url },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain("✘ failed: the reviewer found nothing that a node owns to change");
    const md = reportOf(r, "md");
    expect(md).toContain("Result: ❌ failed");
    expect(md).toContain("the build is red");
  }, 120_000);

  it("a repository with no checks configured is not verified, never green: exit 3, a neutral check", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-demo-nochecks-"));
    cpSync(join(root, "examples/todo-app"), join(dir, "todo-app"), { recursive: true });
    writeFileSync(join(dir, "todo-app/.github/swarm.yml"), "validation:\n  install: npm ci\n");
    const r = await swarmRun(
      ["--repo", join(dir, "todo-app"), "--spec", join(root, "examples/todo-app.spec.md")],
      { ANTHROPIC_API_KEY: anthropic.apiKey, ANTHROPIC_BASE_URL: anthropic.url },
    );
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain("⚠ not verified: No checks are configured, so nothing checked the result");
    expect(r.stdout).toContain("set validation.ci or validation.commands in .github/swarm.yml");
    expect(r.stdout).not.toMatch(/green|All checks pass/);
    const md = reportOf(r, "md");
    expect(md).not.toMatch(/✅|All checks pass/);
    expect(md).toContain("No checks are configured");
    // The local forge's record, as GitHub would show it: the stand-in check and swarm's are neutral.
    const runDir = /report: (\S+)\/report\.md/.exec(r.stdout)?.[1] ?? "";
    const state = JSON.parse(readFileSync(join(runDir, "state.json"), "utf8")) as {
      checkRuns: { name: string; conclusion: string | null }[];
      pulls: { draft: boolean }[];
    };
    expect(state.checkRuns.map((c) => [c.name, c.conclusion]).sort()).toEqual([
      ["checks", "neutral"],
      ["swarm", "neutral"],
    ]);
    expect(state.pulls[0]?.draft).toBe(true);
  }, 120_000);

  it("a node the API refuses fails the run, and the terminal says why", async () => {
    anthropic.setModel((req) =>
      /Your node: `format`/.test(JSON.stringify(req.messages[0]))
        ? { fault: "status", status: 400, type: "invalid_request_error", message: "prompt is too long" }
        : todoAppModel(req),
    );
    try {
      const r = await swarmRun(["--repo", "examples/todo-app", "--spec", "examples/todo-app.spec.md"], {
        ANTHROPIC_API_KEY: anthropic.apiKey,
        ANTHROPIC_BASE_URL: anthropic.url,
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain("✘ failed: Nodes that did not finish: format (failed), summary (blocked).");
      // Said once, as plain text: no Markdown on the terminal.
      const why =
        "Node format: swarm hit a problem coding node format: The Anthropic API refused the request (400): prompt is too long";
      expect(r.stdout).toContain(why);
      expect(r.stdout.split(why).length - 1).toBe(1);
      expect(r.stdout).not.toMatch(/\*\*|`/);
      const md = reportOf(r, "md");
      expect(md).toContain("| format | Format the list | failed |");
      // "What it did" says why a node did not finish: what swarm said on its sub-issue, or what held it.
      expect(md).toMatch(
        /\| format \| Format the list \| failed \|[^\n]*\| swarm hit a problem coding node `format`: The Anthropic API refused/,
      );
      expect(md).toMatch(
        /\| summary \|[^\n]*\| blocked \|[^\n]*\| Did not start: it depends on `format` \(failed\)\. \|/,
      );
      expect(reportOf(r, "html")).toContain(
        '<td class="did"><p><strong>swarm hit a problem coding node <code>format</code>: The Anthropic API refused the request (400): prompt is too long</strong></p>',
      );
    } finally {
      anthropic.setModel(todoAppModel);
    }
  }, 60_000);

  it("Ctrl-C cancels the run, and the report is still written", async () => {
    // The coders take their time, so the interrupt lands while the nodes are running.
    anthropic.setModel((req) => ({
      ...todoAppModel(req),
      latencyMs: JSON.stringify(req.system).includes("You are a coder of swarm") ? 1500 : 0,
    }));
    const runsDir = mkdtempSync(join(tmpdir(), "swarm-demo-runs-"));
    const child = spawn(
      process.execPath,
      [
        join(root, "bin/swarm.js"),
        "run",
        "--repo",
        "examples/todo-app",
        "--spec",
        "examples/todo-app.spec.md",
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          SWARM_RUNS_DIR: runsDir,
          ANTHROPIC_API_KEY: anthropic.apiKey,
          ANTHROPIC_BASE_URL: anthropic.url,
        },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const exited = new Promise<number | null>((done) => child.on("close", done));
    await new Promise<void>((done) =>
      child.stdout.on("data", (c) => {
        stdout += c;
        if (stdout.includes("complete running")) done();
      }),
    );
    child.kill("SIGINT");
    const code = await exited;
    anthropic.setModel(todoAppModel);
    expect(code, stderr).toBe(1);
    expect(stderr).toContain("swarm run: cancelling");
    expect(stdout).toContain("✘ cancelled: Cancelled from the terminal; the branches made so far are kept.");
    const report = readFileSync(/report: (\S+report\.md)/.exec(stdout)?.[1] ?? "", "utf8");
    expect(report).toContain("Result: ❌ cancelled");
    // The nodes stopped at their next turn: none went on to finish.
    expect(stdout).not.toContain("summary running");
  }, 60_000);

  it("a second Ctrl-C quits at once, and leaves no temporary copy behind", async () => {
    anthropic.setModel((req) => ({
      ...todoAppModel(req),
      latencyMs: JSON.stringify(req.system).includes("You are a coder of swarm") ? 3000 : 0,
    }));
    const tmp = mkdtempSync(join(tmpdir(), "swarm-demo-tmp-"));
    const child = spawn(
      process.execPath,
      [
        join(root, "bin/swarm.js"),
        "run",
        "--repo",
        "examples/todo-app",
        "--spec",
        "examples/todo-app.spec.md",
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? "",
          TMPDIR: tmp,
          SWARM_RUNS_DIR: mkdtempSync(join(tmpdir(), "swarm-demo-runs-")),
          SWARM_CACHE_DIR: TEST_DOWNLOADS,
          ANTHROPIC_API_KEY: anthropic.apiKey,
          ANTHROPIC_BASE_URL: anthropic.url,
        },
        // Its own process group, as a terminal's foreground job is: Ctrl-C reaches every process in it.
        detached: true,
      },
    );
    const ctrlC = () => process.kill(-(child.pid as number), "SIGINT");
    let stdout = "";
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.on("close", done));
    await new Promise<void>((done) =>
      child.stdout.on("data", (c) => {
        stdout += c;
        if (stdout.includes("complete running")) done();
      }),
    );
    // While the nodes work, their copies are in the run's own temporary folder.
    expect(readdirSync(tmp)).toHaveLength(1);
    ctrlC();
    // The second once the first is taken (signals sent together arrive as one).
    await new Promise<void>((done) =>
      child.stderr.on("data", (c) => {
        stderr += c;
        if (stderr.includes("cancelling")) done();
      }),
    );
    ctrlC();
    const code = await exited;
    anthropic.setModel(todoAppModel);
    expect(code).toBe(130);
    // Removed on the way out, or by the cleaner it leaves when a child was still writing there.
    for (let i = 0; i < 100 && readdirSync(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);

  it("refuses a repository whose swarm.yml is invalid, and shows the problem and its fix in the terminal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-demo-badcfg-"));
    cpSync(join(root, "examples/todo-app"), join(dir, "todo-app"), { recursive: true });
    writeFileSync(join(dir, "todo-app/.github/swarm.yml"), "limits:\n  maxNodes: -3\n");
    const r = await swarmRun([
      "--repo",
      join(dir, "todo-app"),
      "--spec",
      "examples/todo-app.spec.md",
      "--replay",
      "examples/todo-app.trace.jsonl",
    ]);
    // Bad input, said before anything starts: exit 2, no run folder.
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toContain("swarm run: .github/swarm.yml has problems:");
    expect(r.stderr).toContain(
      ".github/swarm.yml:2:13  limits.maxNodes: must be greater than 0, but it is -3",
    );
    expect(r.stderr).toContain(
      "fix: Correct it (check it with: npx swarm config validate .github/swarm.yml)",
    );
    expect(readdirSync(r.runsDir)).toEqual([]);
  });

  it("names a missing spec or repository, and how to fix it, with exit code 2", async () => {
    const noSpec = await swarmRun(["--repo", "examples/todo-app", "--spec", "examples/nope.md"]);
    expect(noSpec.code).toBe(2);
    expect(noSpec.stderr).toContain("The spec file examples/nope.md does not exist.");
    expect(noSpec.stderr).toContain("Markdown file");
    const noRepo = await swarmRun(["--repo", "examples/nope", "--spec", "examples/todo-app.spec.md"]);
    expect(noRepo.code).toBe(2);
    expect(noRepo.stderr).toContain("The repository folder examples/nope does not exist.");
    // No key and no recorded trace beside the spec: said before anything runs.
    const dir = mkdtempSync(join(tmpdir(), "swarm-demo-nokey-"));
    cpSync(join(root, "examples/todo-app.spec.md"), join(dir, "spec.md"));
    const noKey = await swarmRun(["--repo", "examples/todo-app", "--spec", join(dir, "spec.md")]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("ANTHROPIC_API_KEY");
    expect(noKey.stderr).toContain("replay a recorded trace");
  });
});
