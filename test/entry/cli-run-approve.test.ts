import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DOWNLOADS } from "../support/node-rig.js";

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

  it("refuses without a terminal to ask at, before planning, with exit 2", () => {
    const runsDir = mkdtempSync(join(tmpdir(), "swarm-approve-runs-"));
    const run = spawnSync(
      process.execPath,
      [
        "bin/swarm.js",
        "run",
        "--approve",
        "--repo",
        "examples/todo-app",
        "--spec",
        "examples/todo-app.spec.md",
      ],
      {
        cwd: root,
        encoding: "utf8",
        stdio: ["pipe", "pipe", "pipe"],
        input: "y\n",
        env: {
          ...process.env,
          ANTHROPIC_API_KEY: "",
          SWARM_RUNS_DIR: runsDir,
          SWARM_CACHE_DIR: TEST_DOWNLOADS,
        },
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("there is no terminal to ask at");
    expect(run.stderr).toContain("add --yes to start without asking");
    expect(readdirSync(runsDir)).toEqual([]);
  });
});
