import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalForge } from "../../../src/forge/local/create-local-forge.js";
import type { AgentTool, ToolOutcome } from "../../../src/model/run-agent.js";
import type { Forge } from "../../../src/pipeline/forge.js";
import { diffTool } from "../../../src/pipeline/review/diff-tool.js";
import { headFiles } from "../../../src/pipeline/review/head-files.js";
import { jobLogTool } from "../../../src/pipeline/review/job-log-tool.js";
import { readOnlyEditorTool } from "../../../src/pipeline/review/read-only-editor-tool.js";
import { gitIn, userRepo, userState } from "../../support/user-repo.js";

// The reviewer's read-only tools, on real parts: a git repository read through the local forge, a real diff,
// and a check's log the local forge keeps whole.

/** Runs a tool as the agent loop does: the input checked with the tool's schema first. */
async function use(tool: AgentTool<never>, input: unknown): Promise<ToolOutcome> {
  const parsed = tool.input.safeParse(input);
  if (!parsed.success) throw new Error(`bad input: ${parsed.error.message}`);
  const out = await tool.run(parsed.data as never);
  return typeof out === "string" ? { content: out } : out;
}

/** 5,000 lines of CI noise with the failure at line 2,500 (as GitHub writes them: a timestamp before each). */
const longLog = () =>
  Array.from({ length: 5000 }, (_, i) => {
    const n = i + 1;
    const text =
      n === 2499
        ? "\u001b[31mFAIL\u001b[39m test/mean.test.js > mean of [2, 4]"
        : n === 2500
          ? "AssertionError: expected 2.5 to be 3 ❯ src/stats.js:4:10"
          : `ok ${n} - step ${n} of the suite`;
    return `2026-12-01T10:00:${String(n % 60).padStart(2, "0")}.1234567Z ${text}`;
  }).join("\n");

let repo: string;
let state: string;
let forge: Forge;
let head: string;
let diff: string;
beforeAll(() => {
  repo = userRepo({
    "src/stats.js": "export function mean(xs) {\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n}\n",
    "src/core.js": "export const add = (a, b) => a + b;\n",
    "README.md": "# stats\n",
  });
  gitIn(repo, "checkout", "-q", "-b", "feature");
  // The PR: stats.js changed (one line added, one changed), core.js deleted, a new file added.
  writeFileSync(
    join(repo, "src/stats.js"),
    "// Averages.\nexport function mean(xs) {\n  return xs.reduce((a, b) => a + b, 0) / (xs.length + 1);\n}\n",
  );
  rmSync(join(repo, "src/core.js"));
  writeFileSync(join(repo, "src/format.js"), "export const format = (n) => n.toFixed(2);\n");
  gitIn(repo, "add", "-A", "src");
  gitIn(repo, "commit", "-qm", "the pull request");
  head = gitIn(repo, "rev-parse", "HEAD").trim();
  diff = gitIn(repo, "diff", "--no-color", "main...feature");
  state = userState(repo);
  forge = createLocalForge({
    repoDir: repo,
    stateFile: join(mkdtempSync(join(tmpdir(), "swarm-rt-")), "state.json"),
  });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("the reviewer's read-only editor (files at the PR's head)", () => {
  const editor = () => readOnlyEditorTool({ files: headFiles(forge, head), maxCharacters: 40_000 });

  it("views a file at the head commit with line numbers, and a range of it", async () => {
    const whole = await use(editor(), { command: "view", path: "src/stats.js" });
    expect(whole.isError).toBeUndefined();
    expect(whole.content).toContain("     1\t// Averages.");
    expect(whole.content).toContain("     3\t  return xs.reduce((a, b) => a + b, 0) / (xs.length + 1);");
    const range = await use(editor(), {
      command: "view",
      path: "/workspace/src/stats.js",
      view_range: [3, 3],
    });
    expect(range.content).toContain('lines="3-3 of 4"');
    expect(range.content).not.toContain("// Averages.");
    // A folder, two levels deep; a file the PR deleted is not at the head.
    expect((await use(editor(), { command: "view", path: "src" })).content).toContain("src/format.js");
    expect(await use(editor(), { command: "view", path: "src/core.js" })).toEqual({
      content: "Error: File not found: src/core.js",
      isError: true,
    });
  });

  it("refuses create, str_replace and insert with a tool error that says why, and writes nothing", async () => {
    for (const input of [
      { command: "create", path: "src/new.js", file_text: "x" },
      { command: "str_replace", path: "src/stats.js", old_str: "xs.length + 1", new_str: "xs.length" },
      { command: "insert", path: "src/stats.js", insert_line: 0, insert_text: "// hi" },
    ]) {
      const out = await use(editor(), input);
      expect(out.isError).toBe(true);
      expect(out.content).toBe(
        `Error: ${input.command} is refused: the reviewer's editor is read-only (it shows the pull request's head commit). Report what must change as a finding, with its file and line, for the node that owns the file.`,
      );
    }
    expect(userState(repo)).toBe(state);
    expect(gitIn(repo, "rev-parse", "HEAD").trim()).toBe(head);
  });

  it("refuses a path outside the repository", async () => {
    for (const path of ["/etc/passwd", "../outside.txt", "src/../../etc/passwd"]) {
      const out = await use(editor(), { command: "view", path });
      expect(out).toEqual({
        content: `Error: ${path} is outside the repository. Use paths relative to the repository root, such as src/index.ts.`,
        isError: true,
      });
    }
  });
});

describe("the reviewer's diff tool", () => {
  it("lists the changed files with their added and removed lines", async () => {
    const out = await use(diffTool(diff), {});
    expect(out.content).toContain("3 changed files, +3 -2:");
    expect(out.content).toContain("src/core.js  deleted  +0 -1");
    expect(out.content).toContain("src/format.js  added  +1 -0");
    expect(out.content).toContain("src/stats.js  modified  +2 -1");
  });

  it("shows one file's diff with each row's line in the PR's version", async () => {
    const out = await use(diffTool(diff), { path: "src/stats.js" });
    expect(out.content).toContain("src/stats.js (modified, +2 -1), page 1 of 1:");
    expect(out.content).toContain("     1 +// Averages.");
    expect(out.content).toContain("     3 +  return xs.reduce((a, b) => a + b, 0) / (xs.length + 1);");
    expect(out.content).toContain("       -  return xs.reduce((a, b) => a + b, 0) / xs.length;");
  });

  it("pages a long file's diff, and refuses a page past the end and a file the PR does not change", async () => {
    const long = `diff --git a/big.txt b/big.txt\nnew file mode 100644\n--- /dev/null\n+++ b/big.txt\n@@ -0,0 +1,700 @@\n${Array.from({ length: 700 }, (_, i) => `+row ${i + 1}`).join("\n")}\n`;
    const tool = diffTool(long);
    const second = await use(tool, { path: "big.txt", page: 2 });
    expect(second.content).toContain("big.txt (added, +700 -0), page 2 of 3:");
    expect(second.content).toContain("   296 +row 296");
    expect(second.content).toContain("Next: page 3.");
    expect(await use(tool, { path: "big.txt", page: 4 })).toEqual({
      content: "Error: big.txt's diff has 3 pages; ask for page 1 to 3.",
      isError: true,
    });
    const other = await use(tool, { path: "src/other.js" });
    expect(other.isError).toBe(true);
    expect(other.content).toContain(
      "src/other.js is not changed by this pull request. The changed files: big.txt.",
    );
  });
});

describe("the reviewer's job_log tool (a failing check's whole log)", () => {
  const failing = async () => {
    const { id } = await forge.upsertCheckRun({
      name: "npm test",
      headSha: head,
      status: "completed",
      conclusion: "failure",
      title: "Failed with exit code 1",
      summary: "the end",
      log: longLog(),
    });
    return { id, name: "npm test", conclusion: "failure", summary: "the end" };
  };

  it("reads any page of a 5,000-line log with line numbers, timestamps and colours taken out", async () => {
    const tool = jobLogTool({ checks: [await failing()], readLog: (id) => forge.readCheckLog(id) });
    const page = await use(tool, { check: "npm test", page: 13 });
    expect(page.content).toContain(
      'The log of "npm test" (failure), 5000 lines, 25 pages: page 13, lines 2401-2600:',
    );
    expect(page.content).toContain("  2499\tFAIL test/mean.test.js > mean of [2, 4]");
    expect(page.content).toContain("  2500\tAssertionError: expected 2.5 to be 3 ❯ src/stats.js:4:10");
    expect(page.content).toContain("  2401\tok 2401 - step 2401 of the suite");
    expect(page.content).not.toContain("2402-");
    expect(page.content).not.toContain("  2601\t");
    const first = await use(tool, { check: "npm test" });
    expect(first.content).toContain("page 1, lines 1-200:");
    expect(await use(tool, { check: "npm test", page: 26 })).toEqual({
      content: 'Error: the log of "npm test" (failure), 5000 lines, 25 pages; ask for page 1 to 25.',
      isError: true,
    });
  });

  it("searches with a regular expression: each match with its line number and the lines around it", async () => {
    let reads = 0;
    const check = await failing();
    const tool = jobLogTool({
      checks: [check],
      readLog: (id) => {
        reads++;
        return forge.readCheckLog(id);
      },
    });
    const found = await use(tool, { check: "npm test", search: "FAIL|Error", context: 1 });
    expect(found.content).toContain(
      '2 lines of the log of "npm test" (failure), 5000 lines, 25 pages match /FAIL|Error/',
    );
    expect(found.content).toContain("line 2499 is on page 13");
    expect(found.content).toContain(
      [
        "  2498-\tok 2498 - step 2498 of the suite",
        "  2499:\tFAIL test/mean.test.js > mean of [2, 4]",
        "  2500:\tAssertionError: expected 2.5 to be 3 ❯ src/stats.js:4:10",
        "  2501-\tok 2501 - step 2501 of the suite",
      ].join("\n"),
    );
    expect(found.content).not.toContain("  2497");
    expect((await use(tool, { check: "npm test", search: "^nothing like this$" })).content).toBe(
      'No line of the log of "npm test" (failure), 5000 lines, 25 pages matches /^nothing like this$/.',
    );
    const bad = await use(tool, { check: "npm test", search: "(unclosed" });
    expect(bad.isError).toBe(true);
    expect(bad.content).toContain("(unclosed is not a valid regular expression");
    // The log is read from the forge once, however often it is searched or paged.
    await use(tool, { check: "npm test", page: 2 });
    expect(reads).toBe(1);
  });

  it("says which checks there are for an unknown name, and when a check has no log", async () => {
    const tool = jobLogTool({
      checks: [{ id: 999_999, name: "lint", conclusion: "failure", summary: "" }],
      readLog: (id) => forge.readCheckLog(id),
    });
    expect(await use(tool, { check: "test", page: 1 })).toEqual({
      content: 'Error: no failing check is called "test". The failing checks: "lint".',
      isError: true,
    });
    expect(await use(tool, { check: "LINT", page: 1 })).toEqual({
      content:
        'Error: no log can be read for "lint" (it is not a GitHub Actions job, or its log has expired). What it reported is in the prompt.',
      isError: true,
    });
  });
});
