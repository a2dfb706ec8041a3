import { describe, expect, it } from "vitest";
import { InputError } from "../../src/domain/errors.js";
import { explainFailure } from "../../src/entry/cli-failure.js";
import { createProgressBoard } from "../../src/entry/progress-board.js";
import { runSummary } from "../../src/entry/run-summary.js";
import { shellQuote, terminalText } from "../../src/entry/terminal-text.js";
import { ModelCallError } from "../../src/model/model-call-error.js";

// What the terminal shows: plain text (no Markdown), no GitHub advice, each reason once, the cost never
// cut off, commands that paste as they are.
const result = (over: Partial<Parameters<typeof runSummary>[0]> = {}) => ({
  status: "failed" as const,
  headline: "Nodes that did not finish: `format` (failed).",
  runDir: "/runs/r",
  report: { markdown: "/runs/r/report.md", html: "/runs/r/report.html" },
  repoDir: "/home/me/my repo",
  branch: "swarm/1-x/integration",
  base: "main",
  notes: [
    "**swarm hit a problem coding node `format`:** it broke.\n\n**Fix:** comment `/swarm retry` to try again.",
    "**swarm hit a problem coding node `format`:** it broke.\n\n**Fix:** comment `/swarm retry` to try again.",
  ],
  ...over,
});

describe("the terminal", () => {
  it("says why a run failed once, as plain text, with a command that pastes into a shell", () => {
    const { text, exitCode } = runSummary(result());
    expect(exitCode).toBe(1);
    expect(text).toContain("✘ failed: Nodes that did not finish: format (failed).");
    expect(text.match(/it broke/g)).toHaveLength(1);
    expect(text).not.toMatch(/\*\*|`|\/swarm retry/);
    expect(text).toContain("Fix: run swarm run again.");
    expect(text).toContain("see it: git -C '/home/me/my repo' diff main...swarm/1-x/integration");
    expect(text.endsWith("/runs/r/report.html\n")).toBe(true); // nothing after the summary
  });

  it("gives green 0, not verified 3, and says not verified in words", () => {
    expect(runSummary(result({ status: "green", headline: "All checks pass.", notes: [] })).exitCode).toBe(0);
    const unverified = runSummary(result({ status: "unverified", headline: "No checks are configured." }));
    expect(unverified.exitCode).toBe(3);
    expect(unverified.text).toContain("⚠ not verified: No checks are configured.");
  });

  it("keeps the cost on the totals line at a narrow width", () => {
    let screen = "";
    const board = createProgressBoard({ write: (t: string) => (screen += t), isTTY: true, columns: 40 });
    board.handle({ kind: "plan", nodes: [{ id: "store", title: "Todo storage with a rather long title" }] });
    board.handle({
      kind: "spend",
      ledger: { tokens: 1_234_567, usd: 12.345, byNode: {}, byRole: {}, byModel: {} } as never,
    });
    board.stop();
    const last = screen.split("\x1b[J").at(-1) ?? "";
    const totals = last.split("\n")[0] ?? "";
    expect(totals.length).toBeLessThanOrEqual(39);
    expect(totals).toContain("$12.345");
  });

  it("prints nothing for a start refused before anything happened", () => {
    let screen = "";
    const board = createProgressBoard({ write: (t: string) => (screen += t), isTTY: false });
    board.stop();
    expect(screen).toBe("");
  });

  it("explains a failure in plain text with its fix: exit 2 for bad input, 1 for a failed call", () => {
    const bad = explainFailure(
      new InputError({ problem: "The spec `x.md` is empty.", fix: "Write **something**." }),
      "swarm run",
      {},
    );
    expect(bad).toEqual({
      text: "swarm run: The spec x.md is empty.\n    fix: Write something.",
      exitCode: 2,
    });
    const api = explainFailure(
      new ModelCallError("interrupted", "retry", 3, {
        problem: "The stream was cut.",
        fix: "Comment `/swarm retry` once the API answers again.",
      }),
      "swarm plan",
      {},
    );
    expect(api.exitCode).toBe(1);
    expect(api.text).toBe(
      "swarm plan: The stream was cut.\n    fix: run swarm plan again once the API answers again.",
    );
  });

  it("says what an unforeseen error was in one line, redacted, and shows its stack only with SWARM_DEBUG=1", () => {
    const error = new TypeError("cannot read x of undefined (key sk-ant-api03-abcdefghijklmnop)");
    const plain = explainFailure(error, "swarm run", {});
    expect(plain.exitCode).toBe(1);
    expect(plain.text.split("\n")[0]).toBe(
      "swarm run stopped on an error swarm did not expect: TypeError: cannot read x of undefined (key [REDACTED])",
    );
    expect(plain.text).toContain("--debug (or SWARM_DEBUG=1)");
    expect(plain.text).not.toMatch(/\n\s+at /);
    const debug = explainFailure(error, "swarm run", { SWARM_DEBUG: "1" });
    expect(debug.text).toMatch(/\n\s+at .*terminal-output\.test\.ts/);
    expect(debug.text).not.toContain("sk-ant-api03");
  });

  it("turns GitHub Markdown into terminal text and quotes shell words only when needed", () => {
    expect(terminalText("## Heading\n**Fix:** comment `/swarm retry`.", "swarm run")).toBe(
      "Heading\nFix: run swarm run again.",
    );
    expect(shellQuote("/tmp/a-b_c.d")).toBe("/tmp/a-b_c.d");
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});
