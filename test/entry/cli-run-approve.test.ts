import { execFile, execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DOWNLOADS } from "../support/node-rig.js";
import { gitIn } from "../support/user-repo.js";

// `swarm run --approve`: the plan and its estimate are shown and the terminal is asked before any node is
// coded; without a terminal (and without --yes) it refuses before planning.
const root = resolve(import.meta.dirname, "../..");
const sessions: string[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) execFile("tmux", ["kill-session", "-t", s], () => undefined);
});
const capture = (session: string) =>
  new Promise<string>((done) =>
    execFile("tmux", ["capture-pane", "-p", "-J", "-S", "-200", "-t", session], (error, out) =>
      done(error ? "" : out),
    ),
  );
const until = async (session: string, seen: (screen: string) => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  let screen = "";
  while (Date.now() < deadline) {
    screen = await capture(session);
    if (seen(screen)) return screen;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not seen in ${ms} ms:\n${screen}`);
};

/** `swarm run` with no terminal (standard input ignored, or piped `input`), on the demo's trace. */
const runOffTerminal = (args: string[], options: { cwd?: string; input?: string } = {}) => {
  const runsDir = mkdtempSync(join(tmpdir(), "swarm-approve-runs-"));
  const run = spawnSync(process.execPath, [join(root, "bin/swarm.js"), "run", ...args], {
    cwd: options.cwd ?? root,
    encoding: "utf8",
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    ...(options.input === undefined ? {} : { input: options.input }),
    env: { ...process.env, ANTHROPIC_API_KEY: "", SWARM_RUNS_DIR: runsDir, SWARM_CACHE_DIR: TEST_DOWNLOADS },
  });
  return { ...run, runsDir };
};
const DEMO = ["--repo", "examples/todo-app", "--spec", "examples/todo-app.spec.md"];

describe("swarm run --approve", () => {
  it("shows the plan and the estimate, asks, and codes only after y", async () => {
    const session = `swarm-approve-${process.pid}-${Date.now()}`;
    sessions.push(session);
    const runsDir = mkdtempSync(join(tmpdir(), "swarm-approve-runs-"));
    const command = `cd ${root} && env -u ANTHROPIC_API_KEY SWARM_RUNS_DIR=${runsDir} SWARM_CACHE_DIR=${TEST_DOWNLOADS} ${process.execPath} bin/swarm.js run --approve --repo examples/todo-app --spec examples/todo-app.spec.md; echo SWARM-EXIT=$?; sleep 120`;
    execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "160", "-y", "50", command]);

    const asked = await until(session, (s) => s.includes("Start coding? [y/N]"), 60_000);
    expect(asked).toMatch(/Plan: .+/);
    expect(asked).toMatch(/Estimate: \$\d+\.\d\d–\$\d+\.\d\d · .* tokens · .* · based on priors/);
    // Nothing is coded while the question stands.
    await new Promise((r) => setTimeout(r, 500));
    const waiting = await capture(session);
    expect(waiting).not.toMatch(/running/);
    expect(waiting).not.toContain("SWARM-EXIT=");
    execFileSync("tmux", ["send-keys", "-t", session, "y", "Enter"]);
    const last = await until(session, (s) => s.includes("SWARM-EXIT="), 90_000);
    expect(last, last).toContain("SWARM-EXIT=0");
    expect(last).toContain("✔ green: All checks pass.");
  }, 180_000);

  it("codes nothing when the answer is n, and says the plan was not approved", async () => {
    const session = `swarm-decline-${process.pid}-${Date.now()}`;
    sessions.push(session);
    const runsDir = mkdtempSync(join(tmpdir(), "swarm-approve-runs-"));
    const command = `cd ${root} && env -u ANTHROPIC_API_KEY SWARM_RUNS_DIR=${runsDir} SWARM_CACHE_DIR=${TEST_DOWNLOADS} ${process.execPath} bin/swarm.js run --approve --repo examples/todo-app --spec examples/todo-app.spec.md; echo SWARM-EXIT=$?; sleep 120`;
    execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "160", "-y", "50", command]);
    await until(session, (s) => s.includes("Start coding? [y/N]"), 60_000);
    execFileSync("tmux", ["send-keys", "-t", session, "n", "Enter"]);
    const last = await until(session, (s) => s.includes("SWARM-EXIT="), 30_000);
    expect(last).toContain("✘ cancelled: the plan was not approved");
    expect(last).toContain("0/0 nodes done");
    expect(last).not.toMatch(/running/);
    // Not green, so not 0; not bad input either (that is 2): the person said no.
    expect(last).toContain("SWARM-EXIT=1");
    const [run] = readdirSync(runsDir);
    expect(readFileSync(join(runsDir, run ?? "", "report.md"), "utf8")).toContain(
      "the plan was not approved",
    );
  }, 120_000);

  it("starts without asking with --yes, with no terminal", () => {
    const run = runOffTerminal(["--approve", "--yes", ...DEMO]);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("Estimate: ");
    expect(run.stdout).toContain("Starting coding (--yes).");
    expect(run.stdout).toContain("✔ green: All checks pass.");
  }, 120_000);

  it("refuses a repository whose config requires approval when there is no terminal, coding nothing", () => {
    const repo = join(mkdtempSync(join(tmpdir(), "swarm-approve-repo-")), "todo-app");
    cpSync(join(root, "examples/todo-app"), repo, { recursive: true });
    appendFileSync(join(repo, ".github/swarm.yml"), "  approval: required\n");
    gitIn(repo, "init", "-q", "-b", "main");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-qm", "start");
    const run = runOffTerminal(["--repo", ".", "--spec", join(root, "examples/todo-app.spec.md")], {
      cwd: repo,
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain("Estimate: ");
    expect(run.stdout).toContain("stage: cancelled");
    expect(run.stderr).toContain(
      "the plan waits for approval (--approve, or limits.approval in .github/swarm.yml)",
    );
    expect(run.stderr).toContain("add --yes to start without asking");
    expect(gitIn(repo, "branch", "--list", "swarm/*")).toBe("");
  });

  it("refuses without a terminal to ask at, before planning, with exit 2", () => {
    // Piped input is not a terminal, even one that would answer y.
    const run = runOffTerminal(["--approve", ...DEMO], { input: "y\n" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("there is no terminal to ask at");
    expect(run.stderr).toContain("add --yes to start without asking");
    expect(readdirSync(run.runsDir)).toEqual([]);
  });
});
