import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvalTask } from "../../src/domain/eval/eval-task.js";
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
      // The failing hidden tests are named (the runner's report was read), not only an exit code.
      expect(before.failed.length).toBeGreaterThan(0);
      expect(
        before.failed.every((f) => !/ exited \d+$/.test(f)),
        before.failed.join("; "),
      ).toBe(true);
      expect(before.kept).toBe(true);
      const after = await judge(task, copy, "solution", join(dir, "after"), TEST_DOWNLOADS);
      expect(after, JSON.stringify(after)).toEqual({ solved: true, failed: [], kept: true });
    },
    120_000,
  );
});

describe("the judge", async () => {
  const tasks = await loadSuite(join(root, "examples/eval"));
  const temperature = tasks.find((t) => t.id === "py-temperature");
  if (!temperature) throw new Error("examples/eval has no py-temperature");
  /** The task's copy, with a branch where a run did `change` (files written, then committed). */
  const ranAs = async (task: EvalTask, change: Record<string, string | null>, link?: [string, string]) => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-judge-"));
    const copy = join(dir, "repo");
    await freshCopy(task, copy);
    gitIn(copy, "checkout", "-q", "-b", "run");
    for (const [path, text] of Object.entries(change)) {
      if (text === null) rmSync(join(copy, path), { recursive: true, force: true });
      else {
        mkdirSync(dirname(join(copy, path)), { recursive: true });
        writeFileSync(join(copy, path), text);
      }
    }
    if (link) symlinkSync(link[1], join(copy, link[0]));
    gitIn(copy, "add", "-A");
    gitIn(copy, "commit", "-qm", "what the run did");
    return { copy, dir };
  };

  it("judges on the task's terms: a run's edits to the tests, their config and swarm.yml do not count", async () => {
    // No units.py at all, but everything that could make the tests pass without it.
    const { copy, dir } = await ranAs(temperature, {
      // A stand-in for the missing module, and every test's report turned to passed.
      "conftest.py": [
        "import sys, types",
        "import pytest",
        'units = types.ModuleType("units")',
        "units.convert = lambda *args: 0",
        'sys.modules["units"] = units',
        "",
        "@pytest.hookimpl(hookwrapper=True)",
        "def pytest_runtest_makereport(item, call):",
        "    outcome = yield",
        '    outcome.get_result().outcome = "passed"',
        "",
      ].join("\n"),
      "pytest.ini": "[pytest]\naddopts = --co -q\n",
      "tests/test_display.py": "def test_nothing():\n    assert True\n",
      "tests/test_hidden.py": "def test_convert():\n    assert True\n",
      ".github/swarm.yml":
        'validation:\n  install: "rm -rf tests"\n  commands: ["true"]\nsandbox:\n  mode: none\n',
    });
    const judged = await judge(temperature, copy, "run", join(dir, "judged"), TEST_DOWNLOADS);
    expect(judged.solved).toBe(false);
    expect(judged.failed.join("\n")).toMatch(/test_convert|No module named 'units'|units/);
  }, 60_000);

  it("puts a patch in over files the run changed, as they were at the base", async () => {
    const patched: EvalTask = {
      ...temperature,
      hidden: {
        patch: [
          "diff --git a/tests/test_display.py b/tests/test_display.py",
          "--- a/tests/test_display.py",
          "+++ b/tests/test_display.py",
          "@@ -3,3 +3,7 @@ from display import show",
          " ",
          " def test_celsius():",
          '     assert show(21.5, "C") == "21.5 °C"',
          "+",
          "+",
          "+def test_fahrenheit():",
          '+    assert show(21.5, "F") == "70.7 °F"',
          "",
        ].join("\n"),
      },
      test: "python3 -m pytest -q tests/test_display.py",
    };
    delete (patched as { keep?: string }).keep;
    const solution = (path: string) =>
      readFileSync(join(root, "examples/eval/py-temperature/solution", path), "utf8");
    const { copy, dir } = await ranAs(patched, {
      "units.py": solution("units.py"),
      "display.py": solution("display.py"),
      "tests/test_display.py":
        'from display import show\n\n\ndef test_kelvin():\n    assert show(0, "K") == "273.1 K"\n',
    });
    expect(await judge(patched, copy, "run", join(dir, "judged"), TEST_DOWNLOADS)).toEqual({
      solved: true,
      failed: [],
      kept: null,
    });
  }, 60_000);

  it("gives the run a repository of one commit: nothing of the history after the task's commit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-history-"));
    const upstream = join(dir, "upstream");
    mkdirSync(upstream);
    writeFileSync(join(upstream, "a.py"), "broken = True\n");
    gitIn(upstream, "init", "-q", "-b", "main");
    gitIn(upstream, "add", "-A");
    gitIn(upstream, "commit", "-qm", "the task's commit");
    const base = gitIn(upstream, "rev-parse", "HEAD").trim();
    writeFileSync(join(upstream, "a.py"), "broken = False  # the fix\n");
    gitIn(upstream, "commit", "-qam", "the fix");
    gitIn(upstream, "tag", "v1");
    const copy = join(dir, "copy");
    await freshCopy({ ...temperature, repo: { path: upstream, commit: base } }, copy);
    expect(readFileSync(join(copy, "a.py"), "utf8")).toBe("broken = True\n");
    expect(gitIn(copy, "log", "--all", "--format=%s").trim()).toBe("The task's repository");
    expect(gitIn(copy, "tag").trim()).toBe("");
    expect(gitIn(copy, "remote").trim()).toBe("");
  });

  it("refuses a result with a symlink where a hidden test goes", async () => {
    const outside = mkdtempSync(join(tmpdir(), "swarm-outside-"));
    const { copy, dir } = await ranAs(temperature, { tests: null }, ["tests", outside]);
    await expect(judge(temperature, copy, "run", join(dir, "judged"), TEST_DOWNLOADS)).rejects.toThrow(
      /symlink at tests, where the hidden tests go/,
    );
    expect(readdirSync(outside)).toEqual([]);
  }, 60_000);
});
