import { globsOverlap, isGlob } from "../plan/globs-overlap.js";
import type { Plan } from "../plan/plan.js";
import { isTestFile } from "../review/is-test-file.js";
import { indexPlan, reachable } from "./index-plan.js";

export type TestsApart = {
  /** The node that owns only tests. */
  tests: string;
  /** The node, running at the same time, that owns the code they test. */
  code: string;
  testPattern: string;
  codePattern: string;
};

const TEST_FOLDERS = new Set(["test", "tests", "__tests__", "spec", "e2e"]);
const SOURCE_ROOTS = new Set(["src", "lib", "app", "pkg"]);

/**
 * The nodes that own only test files of code that a node running at the same time owns (neither depends on
 * the other, directly or through others): their tests would run before the code they test is there, so no
 * such node can leave the checks green by itself. A test file tests a source file when both name the same
 * thing once the test conventions are taken off (`test/stats.test.ts` and `src/stats.ts`,
 * `tests/test_stats.py` and `pkg/stats.py`, `stats_test.go` and `stats.go`); a glob of a test folder
 * (`test/**`) tests whatever lies under the matching source folder.
 */
export function testsApartFromCode(plan: Plan): TestsApart[] {
  const graph = indexPlan(plan);
  const ancestors = new Map(graph.ids.map((id) => [id, reachable(id, graph.dependencies)]));
  const ordered = (a: string, b: string) => ancestors.get(a)?.has(b) || ancestors.get(b)?.has(a);
  const found: TestsApart[] = [];
  for (const tests of plan.nodes) {
    if (tests.owns.length === 0 || !tests.owns.every(isTestPattern)) continue;
    for (const code of plan.nodes) {
      if (code.id === tests.id || ordered(code.id, tests.id)) continue;
      const pair = firstPair(
        tests.owns,
        code.owns.filter((p) => !isTestPattern(p)),
      );
      if (pair) found.push({ tests: tests.id, code: code.id, ...pair });
    }
  }
  return found;
}

/** Whether an owned path or glob names test files only (a glob by a file it could match). */
export function isTestPattern(pattern: string): boolean {
  if (isTestFile(pattern)) return true;
  if (!isGlob(pattern)) return false;
  const sample = pattern.replace(/\{[^}]*\}/g, "x").replace(/\*+|\?|\[[^\]]*\]/g, "x");
  return isTestFile(/\.\w+$/.test(sample) ? sample : `${sample}.ts`);
}

function firstPair(
  tests: readonly string[],
  code: readonly string[],
): { testPattern: string; codePattern: string } | null {
  for (const testPattern of tests) {
    for (const codePattern of code) {
      if (related(testPattern, codePattern)) return { testPattern, codePattern };
    }
  }
  return null;
}

function related(testPattern: string, codePattern: string): boolean {
  const subject = tested(testPattern);
  const source = tested(codePattern);
  if (globsOverlap(subject, source) !== null) return true;
  // Plain files in folders that do not mirror each other: the same name is enough.
  if (isGlob(testPattern) || isGlob(codePattern)) return false;
  return stem(subject) === stem(source) && stem(subject) !== "";
}

/** A path with the test conventions and the source root taken off: what it tests, or what it is. */
function tested(path: string): string {
  const segments = path.split("/").filter((s) => !TEST_FOLDERS.has(s));
  if (segments.length > 1 && SOURCE_ROOTS.has(segments[0] ?? "")) segments.shift();
  const last = (segments.pop() ?? "")
    .replace(/\.(?:test|spec)(\.[cm]?[jt]sx?)$/, "$1")
    .replace(/^test_/, "")
    .replace(/_test(\.(?:py|go))$/, "$1");
  return [...segments, last].filter(Boolean).join("/") || "**";
}

function stem(path: string): string {
  return (path.split("/").pop() ?? "").replace(/\.[^.]*$/, "");
}
