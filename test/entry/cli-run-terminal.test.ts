import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DOWNLOADS } from "../support/node-rig.js";

// `swarm run` in a real terminal (tmux): the progress block is redrawn in place while the demo runs, its
// node lines going from running to done and its clock moving, and the run ends green.
const root = resolve(import.meta.dirname, "../..");
const sessions: string[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) execFile("tmux", ["kill-session", "-t", s], () => undefined);
});

const capture = (session: string) =>
  new Promise<string>((done) =>
    execFile("tmux", ["capture-pane", "-p", "-t", session], (error, out) => done(error ? "" : out)),
  );

describe("swarm run in a terminal", () => {
  it("shows the progress lines changing during the demo", async () => {
    const session = `swarm-test-${process.pid}-${Date.now()}`;
    sessions.push(session);
    const runsDir = mkdtempSync(join(tmpdir(), "swarm-tty-runs-"));
    const command = `cd ${root} && env -u ANTHROPIC_API_KEY SWARM_RUNS_DIR=${runsDir} SWARM_CACHE_DIR=${TEST_DOWNLOADS} ${process.execPath} bin/swarm.js run --repo examples/todo-app --spec examples/todo-app.spec.md; echo SWARM-EXIT=$?; sleep 120`;
    execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "160", "-y", "50", command]);

    const screens: string[] = [];
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const screen = await capture(session);
      if (screen !== screens.at(-1)) screens.push(screen);
      if (screen.includes("SWARM-EXIT=")) break;
      await new Promise((r) => setTimeout(r, 40));
    }
    const last = screens.at(-1) ?? "";
    expect(last, last).toContain("SWARM-EXIT=0");
    expect(last).toContain("✔ green: All checks pass.");

    // A node seen running in one screen, then done in a later one, at the same place.
    const running = screens.findIndex((s) => /◐ complete\s+running/.test(s));
    expect(running, screens.join("\n-----\n")).toBeGreaterThanOrEqual(0);
    expect(screens.slice(running + 1).some((s) => /✔ complete\s+done\s+\d+\.\d s/.test(s))).toBe(true);
    // The totals line's clock moves between screens.
    const clocks = new Set(
      screens.map((s) => /swarm · .* nodes done · (\d+\.\d) s/.exec(s)?.[1]).filter(Boolean),
    );
    expect(clocks.size).toBeGreaterThan(2);
    // Redrawn in place, not appended: the final screen holds each node's line once.
    expect(last.match(/ complete {2,}/g)?.length).toBe(1);
    expect(last).toMatch(/swarm · green · 3\/3 nodes done/);
  }, 120_000);
});
