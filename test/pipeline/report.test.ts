import { describe, expect, it } from "vitest";
import { dagSvg } from "../../src/pipeline/report/dag-svg.js";
import { renderReport } from "../../src/pipeline/report/render-report.js";
import { node, plan } from "../support/plans.js";

const diamond = plan(
  node("a", [], ["src/a.ts"], { title: "<script>alert(1)</script>" }),
  node("b", ["a"]),
  node("c", ["a"]),
  node("d", ["b", "c"]),
);

describe("the run report", () => {
  it("draws each node one column right of its deepest dependency, coloured by status, with an arrow per edge", () => {
    const svg = dagSvg(diamond, { a: "done", b: "done", c: "failed", d: "blocked" });
    const boxes = [...svg.matchAll(/<rect x="(\d+)" y="(\d+)"[^>]*fill="(#[0-9a-f]+)"/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
      m[3],
    ]);
    expect(boxes).toEqual([
      [10, 10, "#bbf7d0"],
      [250, 10, "#bbf7d0"],
      [250, 74, "#fecaca"],
      [490, 10, "#e5e7eb"],
    ]);
    expect(svg.match(/<line /g)).toHaveLength(4);
    // Titles come from the model: never markup.
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
  });

  it("says the verdict, where the result is, and escapes untrusted text in the HTML", () => {
    const view = {
      title: "Add <b>search</b>",
      status: "failed",
      headline: "it reached the revision limit",
      runId: "local-1",
      repoDir: "/repo",
      base: "main",
      branch: "swarm/1-add-search/integration",
      headSha: "0123456789abcdef",
      plan: diamond,
      states: { a: "done", b: "done", c: "done", d: "done" } as const,
      summaries: { a: "Wrote a." },
      checks: [{ name: "npm test", conclusion: "failure", title: "Failed", summary: "1 test failed" }],
      reviews: [{ body: "Checks failed", comments: [{ path: "src/a.ts", line: 3, body: "off by one" }] }],
      notes: ["swarm stopped: it reached the revision limit"],
      ledger: { byModel: {}, byNode: { a: { tokens: 1200, usd: 0.01 } }, tokens: 1200, usd: 0.01 },
      seconds: 12.34,
      timeline: [
        { at: 0, text: "planning" },
        { at: 1.5, text: "coding" },
      ],
      nodeSeconds: { a: 2.25 },
      modelSource: "the Anthropic API",
    };
    const { markdown, html } = renderReport(view);
    expect(markdown).toContain("Result: ❌ failed: it reached the revision limit");
    expect(markdown).toContain("`swarm/1-add-search/integration` at 0123456");
    expect(markdown).toContain(
      "| a | <script>alert(1)</script> | done | 2.3 s | 1,200 tokens · $0.010 | Wrote a. |",
    );
    expect(markdown).toContain("- `src/a.ts:3`: off by one");
    expect(markdown).toContain("```mermaid");
    expect(markdown).toContain("- 1.5 s: coding");
    expect(html).toContain("<title>swarm: Add &lt;b&gt;search&lt;/b&gt;</title>");
    expect(html).not.toContain("<script>");
    expect(html).toContain("<pre>1 test failed</pre>");
  });
});
