import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cleanRuns } from "../../src/entry/clean-runs.js";
import { liveRunNumbers, reserveRunNumber } from "../../src/entry/reserve-run-number.js";
import { terminalText } from "../../src/entry/terminal-text.js";
import { checkVerdict } from "../../src/pipeline/review/check-verdict.js";
import { gitIn, userRepo } from "../support/user-repo.js";

// The pieces that keep local runs apart and clean up after them, on real repositories.
const gitDirOf = (repo: string) => join(repo, ".git");

describe("run numbers", () => {
  it("never hands out a number twice, even after its run is gone, and counts only runs under way", async () => {
    const repo = userRepo();
    const first = await reserveRunNumber(repo, gitDirOf(repo));
    expect(first).toMatchObject({ number: 1, others: [] });
    const second = await reserveRunNumber(repo, gitDirOf(repo));
    expect(second).toMatchObject({ number: 2, others: [1] });
    await first.release();
    expect(await liveRunNumbers(gitDirOf(repo))).toEqual([2]);
    // Run 1 is over, but its number stays taken: a third run does not take it again.
    const third = await reserveRunNumber(repo, gitDirOf(repo));
    expect(third).toMatchObject({ number: 3, others: [2] });
    // A number whose process died (a pid that is not running) is not under way.
    writeFileSync(join(gitDirOf(repo), "swarm/numbers/3/pid"), "999999999");
    await second.release();
    expect(await liveRunNumbers(gitDirOf(repo))).toEqual([]);
  });

  it("comes after the highest swarm branch", async () => {
    const repo = userRepo();
    gitIn(repo, "branch", "swarm/7-old/integration");
    expect((await reserveRunNumber(repo, gitDirOf(repo))).number).toBe(8);
  });

  it("gives eight processes that start at once eight different numbers", async () => {
    const repo = userRepo();
    const script = `import { reserveRunNumber } from ${JSON.stringify(join(import.meta.dirname, "../../src/entry/reserve-run-number.ts"))};
      const r = await reserveRunNumber(${JSON.stringify(repo)}, ${JSON.stringify(gitDirOf(repo))});
      console.log(r.number);`;
    const numbers = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<number>((done) => {
            const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
            let out = "";
            child.stdout.on("data", (c) => (out += c));
            child.on("close", () => done(Number(out.trim())));
          }),
      ),
    );
    expect(numbers.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  }, 30_000);
});

describe("swarm clean", () => {
  const runFolder = (runsDir: string, name: string, spec: number, repo: string) => {
    mkdirSync(join(runsDir, name), { recursive: true });
    writeFileSync(join(runsDir, name, "run.json"), JSON.stringify({ spec, repo }));
  };

  it("removes a local run's branches and folders, and leaves alone swarm branches no local run made", async () => {
    const repo = userRepo();
    const runsDir = join(gitDirOf(repo), "swarm", "runs");
    const run = await reserveRunNumber(repo, gitDirOf(repo));
    await run.release();
    gitIn(repo, "branch", "swarm/1-x/integration");
    gitIn(repo, "branch", "swarm/1-x/store");
    runFolder(runsDir, "local-a", 1, repo);
    runFolder(runsDir, "local-other-repo", 1, "/somewhere/else");
    gitIn(repo, "branch", "swarm/42-from-github/integration"); // a GitHub run's branch, fetched by hand
    const listed = await cleanRuns({ repo, which: null, env: {} });
    expect(listed).toContain("run 1: 2 branches (swarm/1-x/…), 1 run folder");
    expect(listed).toContain(
      "Left alone: 1 swarm branch not made by a local run here (swarm/42-from-github/integration)",
    );
    expect(await cleanRuns({ repo, which: 1, env: {} })).toContain("removed run 1: 2 branches, 1 run folder");
    expect(gitIn(repo, "branch", "--format=%(refname:short)").split("\n").filter(Boolean).sort()).toEqual([
      "main",
      "swarm/42-from-github/integration",
    ]);
    expect(readdirSync(runsDir)).toEqual(["local-other-repo"]);
    expect(readdirSync(join(gitDirOf(repo), "swarm", "numbers"))).toEqual([]);
  });

  it("refuses a run under way and a branch that is checked out", async () => {
    const repo = userRepo();
    const live = await reserveRunNumber(repo, gitDirOf(repo));
    gitIn(repo, "branch", "swarm/1-x/integration");
    await expect(cleanRuns({ repo, which: 1, env: {} })).rejects.toThrow(/Run 1 is under way/);
    await live.release();
    gitIn(repo, "stash", "-u", "-q");
    gitIn(repo, "switch", "-q", "swarm/1-x/integration");
    await expect(cleanRuns({ repo, which: 1, env: {} })).rejects.toThrow(/is checked out/);
    expect(gitIn(repo, "branch", "--format=%(refname:short)")).toContain("swarm/1-x/integration");
  });
});

describe("verdicts and terminal text", () => {
  it("is green only when a check passed; neutral or skipped alone verified nothing", () => {
    expect(checkVerdict([{ conclusion: "success" }, { conclusion: "skipped" }])).toBe("green");
    expect(checkVerdict([{ conclusion: "neutral" }, { conclusion: "skipped" }])).toBe("unverified");
    expect(checkVerdict([])).toBe("unverified");
    expect(checkVerdict([{ conclusion: "success" }, { conclusion: "timed_out" }])).toBe("red");
  });

  it("turns every /swarm comment advice into what to do on the terminal", () => {
    expect(
      terminalText(
        "**Fix:** push a fix to this branch yourself, comment `/swarm revise <what to change>`, or raise the limit and comment `/swarm retry`.",
      ),
    ).toBe(
      "Fix: push a fix to this branch yourself, run swarm run again, or raise the limit and run swarm run again.",
    );
    expect(
      terminalText("resolve it by hand and comment `/swarm retry`, or `/swarm replan` to plan again."),
    ).not.toContain("/swarm");
  });
});
