import { mayWrite } from "../plan/may-write.js";
import type { Plan, PlanNode } from "../plan/plan.js";
import { isTestFile } from "./is-test-file.js";
import type { FileDiff, Hunk } from "./parse-diff.js";
import { patternTestFacts } from "./pattern-test-facts.js";
import { type TestFacts, type TestMark, testLanguageOf } from "./test-facts.js";

export type WeakenedKind =
  | "deleted-test-file"
  | "deleted-test-case"
  | "added-skip"
  | "added-focus"
  | "removed-assertion"
  | "loosened-assertion"
  | "snapshot-changed"
  | "ci-workflow-edited"
  | "threshold-changed";

export type WeakenedFinding = {
  /** The node that owns the file, by the plan; null when none does. */
  node: string | null;
  path: string;
  /** Line in the PR's version of the file (for a removal, the line where it was); 0 if none. */
  line: number;
  kind: WeakenedKind;
  message: string;
};

/** Facts from a syntax tree for one side of a hunk, where the caller parsed it; null falls back to patterns. */
export type ParsedFacts = (path: string, text: string) => TestFacts | null;

const CI =
  /^(?:\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.yml|\.circleci\/config\.ya?ml|azure-pipelines\.ya?ml|Jenkinsfile)$/;
const SNAPSHOT = /(?:^|\/)__snapshots__\/|\.snap$|\.golden$|(?:^|\/)testdata\/.*\.golden/;
const TEST_CONFIG =
  /(?:^|\/)(?:(?:vitest|vite|jest|karma|playwright)\.config\.[cm]?[jt]s|vitest\.workspace\.[jt]s|package\.json|pyproject\.toml|setup\.cfg|tox\.ini|pytest\.ini|\.coveragerc|\.nycrc(?:\.json)?|\.c8rc(?:\.json)?|codecov\.ya?ml|Makefile|\.github\/workflows\/[^/]+\.ya?ml)$/;
// Coverage thresholds as configs write them: `lines: 80`, `"branches": 90`, `--cov-fail-under=85`,
// `fail_under = 85`, `--coverage.thresholds.lines 80`.
const THRESHOLD =
  /(?:--cov-fail-under|fail[_-]under|--coverage\.thresholds\.\w+|coverageThreshold|threshold|\b(?:lines|branches|functions|statements)\b)["']?\s*[:= ]\s*["']?(\d+(?:\.\d+)?)/g;

/**
 * The ways a PR's diff weakens the tests: deleted test files or cases, added skips or focus, removed or
 * loosened assertions, changed snapshots or golden files, edited CI workflows, lowered coverage thresholds.
 * Test constructs are counted on each side of every hunk (from a syntax tree where `parsed` gives one, line
 * patterns otherwise), so a renamed or moved test and a test added beside the others are not findings.
 * A finding stands unless the spec or the owning node's goal asks for it (see `askedFor`).
 */
export function findWeakenedTests(input: {
  files: readonly FileDiff[];
  plan: Plan;
  /** The spec's title and body. */
  spec: string;
  parsed?: ParsedFacts;
}): WeakenedFinding[] {
  const sides = input.files.map((f) => sidesOf(f, input.parsed));
  // Cases and assertions that a file gains, by name and text: a test moved to another file is not deleted.
  const addedNames = new Set<string>();
  const addedTexts = new Set<string>();
  for (const s of sides) {
    if (!s) continue;
    const oldNames = new Set(s.old.cases.map((c) => c.name));
    for (const c of s.new.cases) if (c.name && !oldNames.has(c.name)) addedNames.add(c.name);
    for (const a of s.new.assertions) if (s.added.has(a.line)) addedTexts.add(squash(a.text));
  }
  const findings: (WeakenedFinding & { names: string[] })[] = [];
  input.files.forEach((file, i) => {
    const path = file.newPath ?? file.oldPath ?? "";
    const at = (kind: WeakenedKind, line: number, message: string, marks: readonly TestMark[] = []) =>
      findings.push({
        node: null,
        path,
        line,
        kind,
        message,
        names: marks.flatMap((m) => (m.name ? [m.name] : [])),
      });
    const changed = file.hunks.length > 0 || file.newPath === null || file.binary;
    if (CI.test(path) && file.oldPath !== null && changed) {
      at(
        "ci-workflow-edited",
        firstChange(file),
        `the CI workflow \`${path}\` was ${file.newPath === null ? "deleted" : "edited"}. Leave the repository's CI as it is; make the code pass it.`,
      );
      return;
    }
    if (SNAPSHOT.test(path) && file.oldPath !== null && changed) {
      at(
        "snapshot-changed",
        firstChange(file),
        `the snapshot or golden file \`${path}\` was ${file.newPath === null ? "deleted" : "changed"}. Restore it and make the output match it, unless the spec asks for the new output.`,
      );
      return;
    }
    if (TEST_CONFIG.test(path)) {
      for (const t of loweredThresholds(file))
        at(
          "threshold-changed",
          t.line,
          `a test threshold was lowered or removed: \`${t.was}\`${t.now ? ` is now \`${t.now}\`` : " is gone"}. Keep the threshold; meet it with tests.`,
        );
    }
    const s = sides[i];
    if (!s) return;
    if (file.newPath === null) {
      const count = s.old.cases.length;
      at(
        "deleted-test-file",
        0,
        `the test file \`${path}\` was deleted${count ? ` with its ${count} test case${count === 1 ? "" : "s"}` : ""}. Restore it and make the code pass it.`,
      );
      return;
    }
    const newNames = new Set(s.new.cases.map((c) => c.name));
    const gone = s.old.cases.filter((c) => !c.name || (!newNames.has(c.name) && !addedNames.has(c.name)));
    const deleted = s.new.cases.length < s.old.cases.length && gone.length > 0;
    if (deleted)
      at(
        "deleted-test-case",
        s.toNew(gone[0]?.line ?? 0),
        `${listOf(gone.map((c) => (c.name ? `\`${c.name}\`` : `\`${c.text}\``)))} ${gone.length === 1 ? "was" : "were"} deleted from \`${path}\`. Restore ${gone.length === 1 ? "it" : "them"} and fix the code ${gone.length === 1 ? "it tests" : "they test"}.`,
        gone,
      );
    const skips = newOnAdded(s.old.skips, s.new.skips, s.added);
    if (skips.length > 0)
      at(
        "added-skip",
        skips[0]?.line ?? 0,
        `${listOf(skips.map((m) => `\`${m.text}\``))} skips a test that ran before. Make it pass by fixing the code it tests, not by skipping it.`,
        skips,
      );
    const focus = newOnAdded(s.old.focus, s.new.focus, s.added);
    if (focus.length > 0)
      at(
        "added-focus",
        focus[0]?.line ?? 0,
        `${listOf(focus.map((m) => `\`${m.text}\``))} focuses the tests, so the others stop running. Remove the focus.`,
        focus,
      );
    const newTexts = new Set(s.new.assertions.map((a) => squash(a.text)));
    const lost = s.old.assertions.filter(
      (a) => !newTexts.has(squash(a.text)) && !addedTexts.has(squash(a.text)),
    );
    // A deleted case takes its assertions with it: that finding already says to restore them.
    if (deleted) return;
    if (s.new.assertions.length < s.old.assertions.length && lost.length > 0)
      at(
        "removed-assertion",
        s.toNew(lost[0]?.line ?? 0),
        `${listOf(lost.map((a) => `\`${a.text}\``))} ${lost.length === 1 ? "was" : "were"} removed from \`${path}\`. Put the assertion${lost.length === 1 ? "" : "s"} back and make the code satisfy ${lost.length === 1 ? "it" : "them"}.`,
      );
    else {
      const strong = (f: TestFacts) => f.assertions.filter((a) => !a.weak).length;
      const loose = s.new.assertions.filter((a) => a.weak && s.added.has(a.line));
      if (strong(s.new) < strong(s.old) && loose.length > 0)
        at(
          "loosened-assertion",
          loose[0]?.line ?? 0,
          `${listOf(loose.map((a) => `\`${a.text}\``))} checks less than the assertion it replaced. Keep the exact assertion and make the code satisfy it.`,
        );
    }
  });
  return findings.flatMap(({ names, ...f }) => {
    const owner = input.plan.nodes.find((n) => mayWrite(n, f.path, []).ok) ?? null;
    if (askedFor(f, names, input.spec, owner)) return [];
    return [{ ...f, node: owner?.id ?? null }];
  });
}

type Sides = {
  old: TestFacts;
  new: TestFacts;
  /** New-side lines the diff adds. */
  added: Set<number>;
  /** An old-side line, placed on the new side: the line that now stands where it was. */
  toNew: (oldLine: number) => number;
};

/** The file's test facts before and after, with lines in the file's numbering; null for a non-test file. */
function sidesOf(file: FileDiff, parsed: ParsedFacts | undefined): Sides | null {
  const path = file.newPath ?? file.oldPath ?? "";
  const language = testLanguageOf(path);
  if (!language || file.binary) return null;
  const rustTests =
    language === "rust" && file.hunks.some((h) => /#\[(?:tokio::)?test\]/.test(h.oldText + h.newText));
  if (!isTestFile(path) && !rustTests) return null;
  const facts = (p: string, text: string) => parsed?.(p, text) ?? patternTestFacts(language, text);
  const old: TestFacts = { cases: [], skips: [], focus: [], assertions: [] };
  const now: TestFacts = { cases: [], skips: [], focus: [], assertions: [] };
  const added = new Set<number>();
  for (const hunk of file.hunks) {
    if (file.oldPath !== null) merge(old, facts(file.oldPath, hunk.oldText), hunk.oldStart);
    if (file.newPath !== null) merge(now, facts(file.newPath, hunk.newText), hunk.newStart);
    for (const l of hunk.lines) if (l.kind === "+" && l.newLine !== null) added.add(l.newLine);
  }
  return { old, new: now, added, toNew: (line) => newLineOf(file.hunks, line) };
}

function merge(into: TestFacts, from: TestFacts, start: number) {
  const shift = (m: TestMark) => ({ ...m, line: m.line + Math.max(start, 1) - 1 });
  into.cases.push(...from.cases.map(shift));
  into.skips.push(...from.skips.map(shift));
  into.focus.push(...from.focus.map(shift));
  into.assertions.push(...from.assertions.map(shift));
}

function newLineOf(hunks: readonly Hunk[], oldLine: number): number {
  for (const hunk of hunks) {
    const i = hunk.lines.findIndex((l) => l.oldLine === oldLine);
    if (i < 0) continue;
    const next =
      hunk.lines.slice(i).find((l) => l.newLine !== null) ?? hunk.lines.findLast((l) => l.newLine !== null);
    return next?.newLine ?? 0;
  }
  return 0;
}

/** Marks the new side has more of than the old, on the lines the diff adds. */
function newOnAdded(old: readonly TestMark[], now: readonly TestMark[], added: ReadonlySet<number>) {
  if (now.length <= old.length) return [];
  return now.filter((m) => added.has(m.line)).slice(0, now.length - old.length);
}

function firstChange(file: FileDiff): number {
  for (const h of file.hunks)
    for (const l of h.lines) if (l.kind !== " ") return l.newLine ?? newLineOf([h], l.oldLine ?? 0);
  return 0;
}

/** Thresholds on removed lines that no added line keeps at the same value or higher. */
function loweredThresholds(file: FileDiff) {
  const out: { line: number; was: string; now: string | null }[] = [];
  for (const hunk of file.hunks) {
    const pairs = (kind: "+" | "-") =>
      hunk.lines
        .filter((l) => l.kind === kind)
        .flatMap((l) =>
          [...l.text.matchAll(THRESHOLD)].map((m) => ({
            key: keyOf(m[0]),
            value: Number(m[1]),
            text: m[0].trim(),
            line: l,
          })),
        );
    const now = pairs("+");
    for (const was of pairs("-")) {
      const kept = now.find((n) => n.key === was.key);
      if (kept && kept.value >= was.value) continue;
      out.push({
        line: kept?.line.newLine ?? newLineOf([hunk], was.line.oldLine ?? 0),
        was: was.text,
        now: kept?.text ?? null,
      });
    }
  }
  return out;
}

const keyOf = (match: string) =>
  match
    .replace(/["'\s:=\d.]+$/g, "")
    .replace(/^["']/, "")
    .toLowerCase();
const squash = (text: string) => text.replace(/\s+/g, "");
const listOf = (items: readonly string[]) =>
  items.length <= 3 ? items.join(", ") : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;

const PERMIT =
  /\b(?:skip|disabl|remov|delet|drop|ignor|xfail|quarantin|updat|regenerat|rewrit|chang|edit|lower|relax|loosen|replac|renam|mov)\w*/i;
const FORBID = /\b(?:don'?t|do not|never|must not|mustn'?t|without|no)\b/i;
const SUBJECTS: Partial<Record<WeakenedKind, string[]>> = {
  "snapshot-changed": ["snapshot", "golden"],
  "ci-workflow-edited": ["workflow"],
  "threshold-changed": ["threshold", "coverage"],
};

/**
 * Whether the spec or the owning node's title, goal or acceptance asks for the change: one sentence that
 * says to skip, remove, update (and the like) and names it (the file's name or path, the test case's name
 * when it has four characters or more, or for snapshots, workflows and thresholds that word),
 * with no "don't", "never", "no" or "without" in that sentence.
 */
function askedFor(
  finding: WeakenedFinding,
  caseNames: readonly string[],
  spec: string,
  owner: PlanNode | null,
): boolean {
  const text = [spec, owner ? [owner.title, owner.goal, ...owner.acceptance].join("\n") : ""].join("\n");
  const base = finding.path.split("/").at(-1) ?? finding.path;
  const names = caseNames.filter((n) => n.length >= 4);
  const subjects = [finding.path, base, ...names, ...(SUBJECTS[finding.kind] ?? [])].map((s) =>
    s.toLowerCase(),
  );
  return text.split(/[.!?](?:\s|$)|\n/).some((sentence) => {
    const s = sentence.toLowerCase();
    return PERMIT.test(s) && !FORBID.test(s) && subjects.some((subject) => s.includes(subject));
  });
}
