import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DOWNLOADS } from "../../support/node-rig.js";
import { userRepo, userState } from "../../support/user-repo.js";

// `swarm run` and `swarm plan` with --replay, as a user runs them (bin/swarm.js over the build), given traces
// that cannot serve: each is refused with exit 2, the problem and its fix, and nothing of the user's changed.
// A trace that is unreadable is refused before the run starts, so no run folder is left behind; a trace that
// is readable but does not match the run ends it at the first call that differs, with what differed.
const root = resolve(import.meta.dirname, "../../..");
const bin = join(root, "bin/swarm.js");
const demoTrace = join(root, "examples/todo-app.trace.jsonl");
const demoSpec = join(root, "examples/todo-app.spec.md");

type Result = { code: number | null; stdout: string; stderr: string; runsDir: string };

/** `swarm <command> ...args` without an API key, its runs in a fresh folder; killed if it outlives `ms`. */
function swarm(command: "run" | "plan", args: string[], ms = 60_000): Promise<Result> {
  const runsDir = join(mkdtempSync(join(tmpdir(), "swarm-traces-")), "runs");
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, command, ...args], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        SWARM_RUNS_DIR: runsDir,
        SWARM_CACHE_DIR: TEST_DOWNLOADS,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, runsDir });
    });
  });
}

const runFolders = (r: Result) => (existsSync(r.runsDir) ? readdirSync(r.runsDir) : []);

/** A file in a fresh folder. */
function file(name: string, content: string | Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), "swarm-trace-file-")), name);
  writeFileSync(path, content);
  return path;
}

/** The demo's files, as a user's git repository (a commit, an uncommitted note), or as a plain folder. */
function todoApp(kind: "git" | "folder", edit: Record<string, string> = {}): string {
  if (kind === "folder") {
    const dir = join(mkdtempSync(join(tmpdir(), "swarm-todo-")), "todo-app");
    cpSync(join(root, "examples/todo-app"), dir, { recursive: true });
    for (const [path, text] of Object.entries(edit)) writeFileSync(join(dir, path), text);
    return dir;
  }
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(join(root, "examples/todo-app"), path)] = readFileSync(path, "utf8");
    }
  };
  walk(join(root, "examples/todo-app"));
  return userRepo({ ...files, ...edit });
}

const demoLines = () => readFileSync(demoTrace, "utf8").split("\n").filter(Boolean);

/** A start refused over the trace: exit 2, the problem and the fix, no run folder, the repository as it was. */
async function refused(trace: string, problem: string | RegExp, fix: string | RegExp) {
  const repo = todoApp("git");
  const before = userState(repo);
  const r = await swarm("run", ["--repo", repo, "--spec", demoSpec, "--replay", trace]);
  expect(r.code, r.stderr).toBe(2);
  const [said, fixLine] = r.stderr.trim().split("\n    fix: ");
  expect(said).toMatch(problem);
  expect(fixLine).toMatch(fix);
  expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(r.stdout).not.toContain("✔ green");
  expect(runFolders(r)).toEqual([]);
  expect(userState(repo)).toBe(before);
}

describe("swarm run --replay with a trace that cannot be read", () => {
  it("a trace file that does not exist", async () => {
    const missing = join(tmpdir(), `swarm-no-such-${process.pid}.jsonl`);
    await refused(
      missing,
      `swarm run: The trace file ${missing} does not exist.`,
      /Check the path given to --replay/,
    );
  });

  it("a folder: a run's folder points at the trace inside it", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "swarm-run-folder-"));
    writeFileSync(join(runDir, "trace.jsonl"), readFileSync(demoTrace));
    await refused(
      runDir,
      `The trace ${runDir} is a folder, not a trace file.`,
      `Pass --replay the trace inside it: ${join(runDir, "trace.jsonl")}.`,
    );
    const empty = mkdtempSync(join(tmpdir(), "swarm-empty-folder-"));
    await refused(
      empty,
      `The trace ${empty} is a folder, not a trace file.`,
      /Pass --replay a trace\.jsonl file, not a folder/,
    );
  });

  it("an empty trace", async () => {
    const empty = file("trace.jsonl", "\n\n");
    await refused(
      empty,
      `The trace ${empty} is empty: it holds no model calls.`,
      /stopped before its first model call/,
    );
  });

  it("a trace cut off in its last line", async () => {
    const lines = demoLines();
    const last = lines.at(-1) ?? "";
    const cut = file("trace.jsonl", [...lines.slice(0, -1), last.slice(0, last.length / 2)].join("\n"));
    await refused(
      cut,
      `The trace ${cut} is truncated at line ${lines.length}: the line ends before its JSON does`,
      `Delete line ${lines.length} to replay the calls before it, or record the trace again.`,
    );
  });

  it("a trace with a line that is not JSON", async () => {
    const lines = demoLines();
    const damaged = file("trace.jsonl", [...lines.slice(0, 2), "<<<<<<< HEAD", ...lines.slice(2)].join("\n"));
    await refused(
      damaged,
      `The trace ${damaged} is damaged at line 3: the line is not JSON (`,
      /Each line of a trace\.jsonl is one JSON object/,
    );
  });

  it("JSON that is not a trace: another tool's JSON lines, a line with a field of the wrong type, an array", async () => {
    const other = file("events.jsonl", '{"level":30,"msg":"server started"}\n');
    await refused(
      other,
      `The trace ${other} is not a swarm trace: line 1 is not a trace line: role is missing.`,
      /Pass --replay a trace\.jsonl written by swarm/,
    );
    const lines = demoLines();
    const wrongTurn = JSON.stringify({ ...JSON.parse(lines[1] ?? "{}"), turn: "one" });
    const typed = file("trace.jsonl", [lines[0], wrongTurn, ...lines.slice(2)].join("\n"));
    await refused(
      typed,
      /line 2 is not a trace line: turn expected number, received string \(it is "one"\)\./,
      /written by swarm/,
    );
    const array = file("trace.jsonl", "[1, 2, 3]\n");
    await refused(
      array,
      /line 1 is not a trace line: it is an array, not a JSON object\./,
      /written by swarm/,
    );
  });

  it("a binary file", async () => {
    const gz = file(
      "trace.jsonl.gz",
      Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xff, 0xfe]),
    );
    await refused(
      gz,
      `The trace ${gz} is not text (it holds binary data), so it is not a trace.jsonl.`,
      /Replay a trace\.jsonl that a run wrote/,
    );
  });
});

describe("swarm run --replay with a trace recorded for another run", () => {
  it("the demo's trace on an unrelated Python repository is refused at the planner, not reported green", async () => {
    const repo = userRepo({ "calc.py": "def add(a, b):\n    return a + b\n", "README.md": "# calc\n" });
    const spec = file("spec.md", "# Add subtraction\n\nAdd `sub(a, b)` to calc.py, with a test.\n");
    const before = userState(repo);
    const r = await swarm("run", ["--repo", repo, "--spec", spec, "--replay", demoTrace]);
    expect(r.stdout).not.toContain("✔ green");
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `swarm run: The trace ${demoTrace} does not match this run: the request for the planner, turn 0 differs from the recorded one`,
    );
    // What differed: the repository the planner was shown, recorded and here.
    expect(r.stderr).toMatch(
      /- the task \(the agent's first message\) differs: recorded ".*Files at main \(8\):.*", here ".*Files at main \(2\):\\nREADME\.md\\ncalc\.py/,
    );
    expect(r.stderr).toMatch(
      /fix: Replay a trace recorded from this spec, repository and settings, or run without --replay with ANTHROPIC_API_KEY set/,
    );
    // No JavaScript was written into the Python project: no branch, nothing in the working tree.
    expect(userState(repo)).toBe(before);
    // The run had started (it is in its report), so its folder stays, saying why it stopped.
    const [runId] = runFolders(r);
    expect(readFileSync(join(r.runsDir, runId ?? "", "report.md"), "utf8")).toContain(
      "does not match this run",
    );
  }, 90_000);

  it("the right spec with changed settings: the planner's effort differs", async () => {
    const config = `${readFileSync(join(root, "examples/todo-app/.github/swarm.yml"), "utf8")}agents:\n  planner:\n    effort: high\n`;
    const repo = todoApp("git", { ".github/swarm.yml": config });
    const before = userState(repo);
    const r = await swarm("run", ["--repo", repo, "--spec", demoSpec, "--replay", demoTrace]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain("the request for the planner, turn 0 differs from the recorded one");
    expect(r.stderr).toMatch(
      /- the settings differ: recorded \{"max_tokens":\d+\}, here \{"max_tokens":\d+,"output_config":\{"effort":"high"\}\}/,
    );
    expect(r.stderr).toContain("fix: Replay a trace recorded from this spec, repository and settings");
    expect(userState(repo)).toBe(before);
  }, 90_000);

  it("the right repository with an edited spec: the task differs where the spec does", async () => {
    const repo = todoApp("git");
    const spec = file(
      "spec.md",
      readFileSync(demoSpec, "utf8").replace("then a line `N of M done`", "then a line `N/M done`"),
    );
    const before = userState(repo);
    const r = await swarm("run", ["--repo", repo, "--spec", spec, "--replay", demoTrace]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain("the request for the planner, turn 0 differs from the recorded one");
    expect(r.stderr).toMatch(
      /- the task \(the agent's first message\) differs: recorded ".*N of M done.*", here ".*N\/M done/,
    );
    expect(r.stderr).toContain("fix: Replay a trace recorded from this spec, repository and settings");
    expect(userState(repo)).toBe(before);
  }, 90_000);

  it("a trace whose calls run out before the run ends: the last node's coder has no call", async () => {
    // The demo's trace up to the node that builds on the other two: planning and two nodes replay, then it ends.
    const lines = demoLines();
    const summary = lines.findIndex((l) => JSON.parse(l).node === "summary");
    expect(summary).toBeGreaterThan(0);
    const short = file("trace.jsonl", `${lines.slice(0, summary).join("\n")}\n`);
    const repo = todoApp("folder");
    const before = userState(repo);
    const r = await swarm("run", ["--repo", repo, "--spec", demoSpec, "--replay", short], 90_000);
    expect(r.stdout).toContain("format done"); // the calls it has were replayed
    expect(r.stdout).not.toContain("✔ green");
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `swarm run: The trace ${short} has no call for the coder of node summary, turn 0: it ends before this run does (it holds ${summary} calls)`,
    );
    expect(r.stderr).toContain("fix: Replay a trace recorded from this spec, repository and settings");
    // A folder is worked on as a copy in the run's folder: the user's own is untouched.
    expect(userState(repo)).toBe(before);
  }, 120_000);
});

describe("swarm plan --replay", () => {
  it("refuses a missing trace and another spec's trace, changing nothing", async () => {
    const repo = userRepo({ "calc.py": "def add(a, b):\n    return a + b\n" });
    const spec = file("spec.md", "# Add subtraction\n\nAdd `sub(a, b)` to calc.py.\n");
    const before = userState(repo);
    const missing = join(tmpdir(), `swarm-no-such-${process.pid}.jsonl`);
    const none = await swarm("plan", ["--repo", repo, "--spec", spec, "--replay", missing]);
    expect(none.code, none.stderr).toBe(2);
    expect(none.stderr).toContain(`swarm plan: The trace file ${missing} does not exist.`);
    expect(none.stderr).toContain("    fix: Check the path given to --replay.");
    expect(runFolders(none)).toEqual([]);
    const other = await swarm("plan", ["--repo", repo, "--spec", spec, "--replay", demoTrace]);
    expect(other.code, other.stderr).toBe(2);
    expect(other.stdout).toBe(""); // no plan printed
    expect(other.stderr).toContain(
      `swarm plan: The trace ${demoTrace} does not match this run: the request for the planner, turn 0`,
    );
    expect(other.stderr).toContain("- the task (the agent's first message) differs: recorded");
    expect(other.stderr).toContain("fix: Replay a trace recorded from this spec, repository and settings");
    expect(userState(repo)).toBe(before);
  }, 60_000);
});
