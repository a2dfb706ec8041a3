import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testSyntaxFacts } from "../../../src/context/test-syntax-facts.js";
import { findWeakenedTests } from "../../../src/domain/review/find-weakened-tests.js";
import { isTestFile } from "../../../src/domain/review/is-test-file.js";
import { parseDiff } from "../../../src/domain/review/parse-diff.js";
import type { TestFacts } from "../../../src/domain/review/test-facts.js";
import { node, plan } from "../../support/plans.js";

// Real diffs from real git: the files before and after are committed, and the detector reads `git diff`
// with whole files as context (as the review does) or with git's usual three lines.

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Files = Record<string, string | null>;
function gitDiff(before: Files, after: Files, wholeFiles = true): string {
  const dir = mkdtempSync(join(tmpdir(), "swarm-weakened-"));
  dirs.push(dir);
  const run = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], {
      cwd: dir,
      encoding: "utf8",
    });
  const write = (files: Files) => {
    for (const [path, text] of Object.entries(files)) {
      const at = join(dir, path);
      if (text === null) rmSync(at, { force: true });
      else {
        mkdirSync(dirname(at), { recursive: true });
        writeFileSync(at, text);
      }
    }
    run("add", "-A");
    run("commit", "-q", "--allow-empty", "-m", "x");
  };
  run("init", "-q", "-b", "main");
  write(before);
  write(after);
  return run("diff", "--no-color", ...(wholeFiles ? ["--unified=1000000"] : []), "HEAD~1", "HEAD");
}

const PLAN = plan(
  node("stats", [], ["src/stats.js", "test/stats.test.js", "src/stats.py", "tests/test_stats.py"]),
  node("tools", [], ["tools/**", "ci/**", ".github/workflows/ci.yml", "vitest.config.ts", "pyproject.toml"]),
  node("engine", [], ["engine/**"]),
);

/** Findings without messages (asserted where they matter), from patterns or from tree-sitter. */
async function weakened(
  before: Files,
  after: Files,
  options: { spec?: string; tree?: boolean; wholeFiles?: boolean } = {},
) {
  const files = parseDiff(gitDiff(before, after, options.wholeFiles ?? true));
  const parsed = new Map<string, TestFacts | null>();
  if (options.tree)
    for (const f of files)
      for (const path of [f.oldPath, f.newPath])
        for (const h of f.hunks)
          for (const text of [h.oldText, h.newText])
            if (path) parsed.set(`${path}\0${text}`, await testSyntaxFacts(path, text));
  return findWeakenedTests({
    files,
    plan: PLAN,
    spec: options.spec ?? "Statistics\nWrite `mean(xs)`.",
    parsed: (path, text) => parsed.get(`${path}\0${text}`) ?? null,
  });
}
const kinds = (found: { kind: string; path: string; line: number; node: string | null }[]) =>
  found.map(({ kind, path, line, node }) => ({ kind, path, line, node }));

const JS_TEST = [
  'import { it } from "node:test";',
  'import assert from "node:assert/strict";',
  'import { mean } from "../src/stats.js";',
  "",
  'it("mean of two", () => {',
  "  assert.equal(mean([2, 4]), 3);",
  "});",
  "",
  'it("mean of three", () => {',
  "  assert.equal(mean([1, 2, 3]), 2);",
  "});",
  "",
].join("\n");
const js = (edit: (text: string) => string) => [
  { "test/stats.test.js": JS_TEST },
  { "test/stats.test.js": edit(JS_TEST) },
];

describe.each([
  ["line patterns", false],
  ["tree-sitter", true],
])("JavaScript tests, read by %s", (_, tree) => {
  it("catches an added skip, on its line, for the node that owns the file", async () => {
    const [a, b] = js((t) => t.replace('it("mean of two"', 'it.skip("mean of two"'));
    const found = await weakened(a as Files, b as Files, { tree });
    expect(kinds(found)).toEqual([
      { kind: "added-skip", path: "test/stats.test.js", line: 5, node: "stats" },
    ]);
    expect(found[0]?.message).toContain('`it.skip("mean of two", () => {');
    expect(found[0]?.message).toContain("not by skipping it");
  });

  it("catches xit, describe.skip and it.todo as skips, and .only as focus", async () => {
    const [a, b] = js((t) =>
      t
        .replace('it("mean of two"', 'xit("mean of two"')
        .replace('it("mean of three"', 'it.only("mean of three"'),
    );
    expect(kinds(await weakened(a as Files, b as Files, { tree }))).toEqual([
      { kind: "added-skip", path: "test/stats.test.js", line: 5, node: "stats" },
      { kind: "added-focus", path: "test/stats.test.js", line: 9, node: "stats" },
    ]);
    const [c, d] = js((t) => `describe.skip("all", () => {\n${t}});\n`);
    expect(kinds(await weakened(c as Files, d as Files, { tree })).map((f) => f.kind)).toEqual([
      "added-skip",
    ]);
    const [e, f] = js((t) =>
      t.replace(/it\("mean of two", \(\) => \{\n.*\n\}\);/, 'it.todo("mean of two");'),
    );
    expect(kinds(await weakened(e as Files, f as Files, { tree })).map((x) => x.kind)).toEqual([
      "added-skip",
      "removed-assertion",
    ]);
  });

  it("catches a deleted assertion, and one commented out", async () => {
    const [a, b] = js((t) => t.replace("  assert.equal(mean([2, 4]), 3);\n", ""));
    const found = await weakened(a as Files, b as Files, { tree });
    expect(kinds(found)).toEqual([
      { kind: "removed-assertion", path: "test/stats.test.js", line: 6, node: "stats" },
    ]);
    expect(found[0]?.message).toMatch(
      /^`assert\.equal\(mean\(\[2, 4\]\), 3\);?` was removed from `test\/stats\.test\.js`/,
    );
    const [c, d] = js((t) =>
      t.replace("  assert.equal(mean([2, 4]), 3);", "  // assert.equal(mean([2, 4]), 3);"),
    );
    expect(kinds(await weakened(c as Files, d as Files, { tree })).map((f) => f.kind)).toEqual([
      "removed-assertion",
    ]);
  });

  it("catches a loosened assertion", async () => {
    const before = { "test/a.test.js": 'test("m", () => {\n  expect(mean([2, 4])).toBe(3);\n});\n' };
    const after = { "test/a.test.js": 'test("m", () => {\n  expect(mean([2, 4])).toBeTruthy();\n});\n' };
    expect(kinds(await weakened(before, after, { tree }))).toEqual([
      { kind: "loosened-assertion", path: "test/a.test.js", line: 2, node: null },
    ]);
  });

  it("catches a deleted test case and a deleted test file", async () => {
    const [a, b] = js((t) => t.replace(/it\("mean of three"[\s\S]*$/, ""));
    const found = await weakened(a as Files, b as Files, { tree });
    expect(kinds(found).map((f) => f.kind)).toEqual(["deleted-test-case"]);
    expect(found[0]?.message).toContain("`mean of three` was deleted from `test/stats.test.js`");
    const gone = await weakened({ "test/stats.test.js": JS_TEST }, { "test/stats.test.js": null }, { tree });
    expect(kinds(gone)).toEqual([
      { kind: "deleted-test-file", path: "test/stats.test.js", line: 0, node: "stats" },
    ]);
    expect(gone[0]?.message).toContain("deleted with its 2 test cases");
  });

  it("finds nothing in a normal change: a test added, a test renamed, a test moved, code changed", async () => {
    const [a, b] = js((t) => `${t}it("mean of one", () => {\n  assert.equal(mean([5]), 5);\n});\n`);
    expect(await weakened(a as Files, b as Files, { tree })).toEqual([]);
    const [c, d] = js((t) => t.replace('"mean of two"', '"the mean of two numbers"'));
    expect(await weakened(c as Files, d as Files, { tree })).toEqual([]);
    const moved = 'it("mean of three", () => {\n  assert.equal(mean([1, 2, 3]), 2);\n});\n';
    expect(
      await weakened(
        { "test/stats.test.js": JS_TEST },
        { "test/stats.test.js": JS_TEST.replace(moved, ""), "test/more.test.js": moved },
        { tree },
      ),
    ).toEqual([]);
    expect(
      await weakened(
        { "src/stats.js": "export const mean = () => 0;\n" },
        { "src/stats.js": "export const mean = (xs) => xs[0];\n" },
        { tree },
      ),
    ).toEqual([]);
  });
});

describe("tree-sitter reads what patterns cannot", () => {
  it("counts an assertion over several lines once, and a string that says it.skip( as no skip", async () => {
    const before = {
      "test/a.test.ts": 'test("m", () => {\n  expect(\n    f(1),\n  ).toEqual(\n    2,\n  );\n});\n',
    };
    const after = {
      "test/a.test.ts":
        'test("m", () => {\n  const note = "use it.skip( only when asked";\n  expect(\n    f(1),\n  ).toEqual(\n    2,\n  );\n});\n',
    };
    expect(await weakened(before, after, { tree: true })).toEqual([]);
    const facts = await testSyntaxFacts("test/a.test.ts", after["test/a.test.ts"]);
    expect(facts).toMatchObject({
      cases: [{ line: 1, name: "m" }],
      skips: [],
      assertions: [{ line: 3, weak: false }],
    });
    expect(facts?.assertions).toHaveLength(1);
  });

  it("reads Python: skip decorators, pytest.skip calls, assert statements, test functions", async () => {
    const facts = await testSyntaxFacts(
      "tests/test_stats.py",
      [
        "import pytest",
        "",
        "@pytest.mark.skip(reason='flaky')",
        "def test_mean():",
        "    assert mean([2, 4]) == 3",
        "",
        "def test_other():",
        "    pytest.skip('later')",
        "    # assert mean([1]) == 1",
        "    assert result",
        "",
      ].join("\n"),
    );
    expect(facts).toMatchObject({
      cases: [
        { name: "test_mean", line: 4 },
        { name: "test_other", line: 7 },
      ],
      skips: [{ line: 3, name: "test_mean" }, { line: 8 }],
      assertions: [
        { line: 5, weak: false },
        { line: 10, weak: true },
      ],
    });
  });
});

const PY_TEST =
  "from stats import mean\n\n\ndef test_mean():\n    assert mean([2, 4]) == 3\n\n\ndef test_one():\n    assert mean([5]) == 5\n";
describe.each([
  ["line patterns", false],
  ["tree-sitter", true],
])("Python tests, read by %s", (_, tree) => {
  it("catches @pytest.mark.skip, pytest.skip( and a removed assert", async () => {
    const path = "tests/test_stats.py";
    const skip = await weakened(
      { [path]: PY_TEST },
      { [path]: PY_TEST.replace("def test_mean", "@pytest.mark.skip\ndef test_mean") },
      { tree },
    );
    expect(kinds(skip)).toEqual([{ kind: "added-skip", path, line: 4, node: "stats" }]);
    const call = await weakened(
      { [path]: PY_TEST },
      { [path]: PY_TEST.replace("    assert mean([5])", "    pytest.skip('no')\n    assert mean([5])") },
      { tree },
    );
    expect(kinds(call)).toEqual([{ kind: "added-skip", path, line: 9, node: "stats" }]);
    const removed = await weakened(
      { [path]: PY_TEST },
      { [path]: PY_TEST.replace("    assert mean([2, 4]) == 3", "    mean([2, 4])") },
      { tree },
    );
    expect(kinds(removed)).toEqual([{ kind: "removed-assertion", path, line: 5, node: "stats" }]);
    const loosened = await weakened(
      { [path]: PY_TEST },
      { [path]: PY_TEST.replace("assert mean([2, 4]) == 3", "assert mean([2, 4]) is not None") },
      { tree },
    );
    expect(kinds(loosened)).toEqual([{ kind: "loosened-assertion", path, line: 5, node: "stats" }]);
  });
});

describe("Go and Rust tests, read by line patterns", () => {
  const GO =
    'package stats\n\nimport "testing"\n\nfunc TestMean(t *testing.T) {\n\tif Mean([]float64{2, 4}) != 3 {\n\t\tt.Errorf("mean wrong")\n\t}\n}\n';
  it("catches t.Skip and a removed t.Errorf", async () => {
    const path = "engine/stats_test.go";
    expect(
      kinds(await weakened({ [path]: GO }, { [path]: GO.replace("{\n\tif", '{\n\tt.Skip("later")\n\tif') })),
    ).toEqual([{ kind: "added-skip", path, line: 6, node: "engine" }]);
    expect(
      kinds(await weakened({ [path]: GO }, { [path]: GO.replace('\t\tt.Errorf("mean wrong")\n', "") })),
    ).toEqual([{ kind: "removed-assertion", path, line: 7, node: "engine" }]);
  });

  const RS =
    "pub fn mean(xs: &[f64]) -> f64 { 0.0 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn mean_of_two() {\n        assert_eq!(super::mean(&[2.0, 4.0]), 3.0);\n    }\n}\n";
  it("catches #[ignore] and a removed assert_eq! in a source file's tests", async () => {
    const path = "engine/src/lib.rs";
    expect(
      kinds(
        await weakened(
          { [path]: RS },
          { [path]: RS.replace("    #[test]\n", "    #[test]\n    #[ignore]\n") },
        ),
      ),
    ).toEqual([{ kind: "added-skip", path, line: 6, node: "engine" }]);
    expect(
      kinds(
        await weakened(
          { [path]: RS },
          { [path]: RS.replace("        assert_eq!(super::mean(&[2.0, 4.0]), 3.0);\n", "") },
        ),
      ),
    ).toEqual([{ kind: "removed-assertion", path, line: 7, node: "engine" }]);
  });
});

describe("snapshots, CI workflows and thresholds", () => {
  it("catches a changed snapshot or golden file, not a new one", async () => {
    const snap = "tools/__snapshots__/a.test.js.snap";
    expect(
      kinds(await weakened({ [snap]: "exports[`a 1`] = `1`;\n" }, { [snap]: "exports[`a 1`] = `2`;\n" })),
    ).toEqual([{ kind: "snapshot-changed", path: snap, line: 1, node: "tools" }]);
    expect(
      kinds(await weakened({ "tools/testdata/out.golden": "a\n" }, { "tools/testdata/out.golden": null })),
    ).toEqual([{ kind: "snapshot-changed", path: "tools/testdata/out.golden", line: 0, node: "tools" }]);
    expect(await weakened({}, { [snap]: "exports[`a 1`] = `1`;\n" })).toEqual([]);
  });

  it("catches an edited CI workflow", async () => {
    const path = ".github/workflows/ci.yml";
    const found = await weakened(
      { [path]: "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test\n" },
      {
        [path]:
          "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test || true\n",
      },
    );
    expect(kinds(found)).toEqual([{ kind: "ci-workflow-edited", path, line: 6, node: "tools" }]);
    expect(found[0]?.message).toContain("Leave the repository's CI as it is");
  });

  it("catches a lowered or removed coverage threshold, not a raised one", async () => {
    const config = (lines: number) =>
      `export default {\n  test: {\n    coverage: {\n      thresholds: { lines: ${lines}, branches: 80 },\n    },\n  },\n};\n`;
    const lowered = await weakened({ "vitest.config.ts": config(90) }, { "vitest.config.ts": config(60) });
    expect(kinds(lowered)).toEqual([
      { kind: "threshold-changed", path: "vitest.config.ts", line: 4, node: "tools" },
    ]);
    expect(lowered[0]?.message).toContain("`lines: 90` is now `lines: 60`");
    expect(await weakened({ "vitest.config.ts": config(90) }, { "vitest.config.ts": config(95) })).toEqual(
      [],
    );
    const py = (n: number) => `[tool.pytest.ini_options]\naddopts = "--cov=stats --cov-fail-under=${n}"\n`;
    expect(kinds(await weakened({ "pyproject.toml": py(90) }, { "pyproject.toml": py(50) }))).toEqual([
      { kind: "threshold-changed", path: "pyproject.toml", line: 2, node: "tools" },
    ]);
  });
});

describe("the exemption: the spec or the node's goal asks for it", () => {
  const [a, b] = js((t) => t.replace(/it\("mean of three"[\s\S]*$/, ""));
  it("lets a change the spec asks for stand: naming the test or the file, with a verb that asks", async () => {
    expect(
      await weakened(a as Files, b as Files, { spec: "Stats\nRemove the flaky test `mean of three`." }),
    ).toEqual([]);
    expect(
      await weakened(a as Files, b as Files, { spec: "Stats\nDelete the obsolete cases in stats.test.js" }),
    ).toEqual([]);
  });

  it("lets a change the owning node's goal asks for stand, and not another node's", async () => {
    const owned = (goal: string) =>
      findWeakenedTests({
        files: parseDiff(gitDiff(a as Files, b as Files)),
        plan: plan(
          node("stats", [], ["test/stats.test.js"], { goal }),
          node("other", [], ["x"], { goal: "Remove the test mean of three." }),
        ),
        spec: "Stats",
      });
    expect(owned("Drop the test `mean of three`; it tests removed behaviour.")).toEqual([]);
    expect(owned("Write mean.").map((f) => f.kind)).toEqual(["deleted-test-case"]);
  });

  it("does not count a sentence that forbids it, or one that names something else", async () => {
    expect(
      (
        await weakened(a as Files, b as Files, { spec: "Stats\nDo not remove the test `mean of three`." })
      ).map((f) => f.kind),
    ).toEqual(["deleted-test-case"]);
    expect(
      (await weakened(a as Files, b as Files, { spec: "Stats\nRemove the test `median`." })).map(
        (f) => f.kind,
      ),
    ).toEqual(["deleted-test-case"]);
  });
});

describe("git's usual three lines of context", () => {
  it("finds the same skip and removed assertion in hunks as in whole files", async () => {
    const long = `${Array.from({ length: 30 }, (_, i) => `const c${i} = ${i};`).join("\n")}\n${JS_TEST}`;
    const before = { "test/stats.test.js": long };
    const after = {
      "test/stats.test.js": long
        .replace('it("mean of two"', 'it.skip("mean of two"')
        .replace("  assert.equal(mean([1, 2, 3]), 2);\n", ""),
    };
    const hunks = await weakened(before, after, { wholeFiles: false, tree: true });
    expect(parseDiff(gitDiff(before, after, false))[0]?.hunks.length).toBeGreaterThan(0);
    expect(kinds(hunks)).toEqual([
      { kind: "added-skip", path: "test/stats.test.js", line: 35, node: "stats" },
      { kind: "removed-assertion", path: "test/stats.test.js", line: 40, node: "stats" },
    ]);
    expect(kinds(await weakened(before, after, { tree: true }))).toEqual(kinds(hunks));
  });
});

describe("isTestFile", () => {
  it("knows the test files of each language and leaves the rest", () => {
    for (const path of [
      "src/a.test.ts",
      "a.spec.js",
      "test/check.mjs",
      "tests/test_a.py",
      "pkg/a_test.go",
      "tests/it.rs",
      "src/__tests__/a.jsx",
    ])
      expect([path, isTestFile(path)]).toEqual([path, true]);
    for (const path of ["src/a.ts", "src/testing.py", "README.md", "test/fixture.json", "src/contest.js"])
      expect([path, isTestFile(path)]).toEqual([path, false]);
  });
});
