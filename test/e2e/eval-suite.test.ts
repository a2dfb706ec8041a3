import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSuite } from "../../src/entry/eval/load-suite.js";
import { freshCopy, judge } from "../../src/entry/eval/run-task.js";
import { TEST_DOWNLOADS } from "../support/node-rig.js";
import { gitIn } from "../support/user-repo.js";

// The built-in suite (examples/eval) is honest: every task's hidden tests fail on the task's repository as
// it is, and pass once its reference solution is in, with the tests that must keep passing passing both
// times. Judged as `swarm eval` judges a run: the hidden tests put in, in the sandbox, after the install.
const root = resolve(import.meta.dirname, "../..");

describe("the built-in eval suite", async () => {
  const tasks = await loadSuite(join(root, "examples/eval"));

  it("has at least eight tasks, in TypeScript, JavaScript and Python", () => {
    expect(tasks.length).toBeGreaterThanOrEqual(8);
    for (const prefix of ["ts-", "js-", "py-"])
      expect(tasks.filter((t) => t.id.startsWith(prefix)).length).toBeGreaterThanOrEqual(2);
  });

  it.each(tasks.map((t) => [t.id, t] as const))(
    "%s: hidden tests fail as it is, pass with the solution",
    async (id, task) => {
      const dir = mkdtempSync(join(tmpdir(), `swarm-eval-${id}-`));
      const copy = join(dir, "repo");
      await freshCopy(task, copy);
      gitIn(copy, "checkout", "-q", "-b", "solution");
      cpSync(join(root, "examples/eval", id, "solution"), copy, { recursive: true });
      gitIn(copy, "add", "-A");
      gitIn(copy, "commit", "-qm", "the reference solution");
      const before = await judge(task, copy, "eval-base", join(dir, "before"), TEST_DOWNLOADS);
      expect(before.solved).toBe(false);
      expect(before.failed.length).toBeGreaterThan(0);
      expect(before.kept).toBe(true);
      const after = await judge(task, copy, "solution", join(dir, "after"), TEST_DOWNLOADS);
      expect(after, JSON.stringify(after)).toEqual({ solved: true, failed: [], kept: true });
    },
    120_000,
  );
});
