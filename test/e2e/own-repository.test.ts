import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DOWNLOADS } from "../support/node-rig.js";
import { gitIn } from "../support/user-repo.js";

// swarm on a newcomer's own repository: run state kept inside .git (never in the working tree), two runs at
// once on their own numbers and branches, a notice for an uncommitted swarm.yml, and `swarm clean`.
const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "bin/swarm.js");
type Ran = { code: number | null; stdout: string; stderr: string };
const swarm = (args: string[], cwd: string) =>
  new Promise<Ran>((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        SWARM_CACHE_DIR: TEST_DOWNLOADS,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

describe("swarm on your own repository", () => {
  it("keeps run state in .git, numbers two concurrent runs apart, and swarm clean removes a run", async () => {
    const repo = join(mkdtempSync(join(tmpdir(), "swarm-own-")), "todo-app");
    cpSync(join(root, "examples/todo-app"), repo, { recursive: true });
    gitIn(repo, "init", "-q", "-b", "main");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-qm", "start");
    // An edit of the config the user has not committed: the run reads the committed one, and says so.
    writeFileSync(join(repo, ".github/swarm.yml"), "# trying something\nlimits:\n  maxNodes: 1\n");
    const args = [
      "run",
      "--repo",
      ".",
      "--spec",
      join(root, "examples/todo-app.spec.md"),
      "--replay",
      join(root, "examples/todo-app.trace.jsonl"),
    ];
    const [a, b] = await Promise.all([swarm(args, repo), swarm(args, repo)]);
    for (const r of [a, b]) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(
        ".github/swarm.yml has changes that are not committed: this run reads the committed one.",
      );
    }
    const branchOf = (r: Ran) => /result: branch (\S+) in/.exec(r.stdout)?.[1];
    expect([branchOf(a), branchOf(b)].sort()).toEqual([
      "swarm/1-complete-todos-and-print-a-summary/integration",
      "swarm/2-complete-todos-and-print-a-summary/integration",
    ]);
    // One of them was told of the other (whichever looked second).
    expect(`${a.stdout}${b.stdout}`).toMatch(
      /Another swarm run is under way in this repository \(run [12]\); this one is run [12], on its own branches/,
    );
    // Nothing of swarm's in the working tree: only the user's own edit shows.
    expect(gitIn(repo, "status", "--porcelain")).toBe(" M .github/swarm.yml\n");
    expect(existsSync(join(repo, ".swarm"))).toBe(false);
    expect(readdirSync(join(repo, ".git/swarm/runs"))).toHaveLength(2);
    expect(gitIn(repo, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");

    const listed = await swarm(["clean"], repo);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      /^run 1: \d+ branches \(swarm\/1-complete-todos-and-print-a-summary\/…\), 1 run folder$/m,
    );
    expect(listed.stdout).toMatch(/^run 2: /m);
    const one = await swarm(["clean", "1"], repo);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^removed run 1: \d+ branches, 1 run folder$/m);
    const branches = () => gitIn(repo, "branch", "--format=%(refname:short)").split("\n").filter(Boolean);
    expect(branches().filter((x) => x.startsWith("swarm/1-"))).toEqual([]);
    expect(branches().some((x) => x.startsWith("swarm/2-"))).toBe(true);
    expect(readdirSync(join(repo, ".git/swarm/runs"))).toHaveLength(1);
    const all = await swarm(["clean", "--all"], repo);
    expect(all.code, all.stderr).toBe(0);
    expect(branches()).toEqual(["main"]);
    expect(readdirSync(join(repo, ".git/swarm/runs"))).toEqual([]);
    expect(gitIn(repo, "status", "--porcelain")).toBe(" M .github/swarm.yml\n");
  }, 180_000);
});
