import { describe, expect, it } from "vitest";
import { dagSvg } from "../../src/pipeline/report/dag-svg.js";
import { ganttSvg } from "../../src/pipeline/report/gantt-svg.js";
import { type ReportView, renderReport } from "../../src/pipeline/report/render-report.js";
import { node, plan } from "../support/plans.js";

const diamond = plan(
  node("a", [], ["src/a.ts"], { title: "<script>alert(1)</script>" }),
  node("b", ["a"]),
  node("c", ["a"]),
  node("d", ["b", "c"]),
);

const baseView: ReportView = {
  title: "Add <b>search</b>",
  status: "failed",
  headline: "it reached the revision limit",
  runId: "local-1",
  repoDir: "/repo",
  base: "main",
  branch: "swarm/1-add-search/integration",
  headSha: "0123456789abcdef",
  plan: diamond,
  states: { a: "done", b: "done", c: "done", d: "done" },
  summaries: { a: "Wrote a." },
  failures: {},
  checks: [{ name: "npm test", conclusion: "failure", title: "Failed", summary: "1 test failed" }],
  reviews: [{ body: "Checks failed", comments: [{ path: "src/a.ts", line: 3, body: "off by one" }] }],
  notes: ["swarm stopped: it reached the revision limit"],
  ledger: { byModel: {}, byNode: { a: { tokens: 1200, usd: 0.01 } }, tokens: 1200, usd: 0.01 },
  seconds: 12.34,
  stages: [
    { at: 0, text: "planning" },
    { at: 1.5, text: "coding" },
  ],
  nodeSpans: { a: [{ start: 1.5, end: 3.75 }] },
  modelSource: "the Anthropic API",
};

/** The text of an HTML fragment as a browser shows it: tags dropped, the common entities decoded. */
const textOf = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

type Box = { x: number; y: number; w: number; h: number };
const boxesOf = (svg: string): Box[] =>
  [...svg.matchAll(/<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    w: Number(m[3]),
    h: Number(m[4]),
  }));
const inside = (p: { x: number; y: number }, b: Box) =>
  p.x > b.x && p.x < b.x + b.w && p.y > b.y && p.y < b.y + b.h;

/**
 * The points an edge's path runs through: its ends, its curves' control points, and the middle of each
 * straight run. A curve lies within its control points' hull, which sits in the gap between two columns.
 */
const edgePoints = (svg: string) =>
  [...svg.matchAll(/<path class="edge" data-from="([^"]+)" data-to="([^"]+)" d="([^"]+)"/g)].map((m) => {
    const points: { x: number; y: number }[] = [];
    for (const step of (m[3] ?? "").matchAll(/([MCL])([^MCL]+)/g)) {
      const xy = [...(step[2] ?? "").matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((p) => ({
        x: Number(p[1]),
        y: Number(p[2]),
      }));
      const last = points.at(-1);
      const end = xy.at(-1);
      if (step[1] === "L" && last && end) points.push({ x: (last.x + end.x) / 2, y: (last.y + end.y) / 2 });
      points.push(...xy);
    }
    return { from: m[1], to: m[2], points };
  });

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
    expect(edgePoints(svg).map((e) => `${e.from}>${e.to}`)).toEqual(["a>b", "a>c", "b>d", "c>d"]);
    expect(svg.match(/marker-end="url\(#arrow\)"/g)).toHaveLength(4);
    // Titles come from the model: never markup.
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
  });

  it("routes an edge that skips columns around the boxes in between, and gives each edge its own port", () => {
    // types → cli and types → docs skip columns: straight lines ran under the store and cli boxes.
    const p = plan(
      node("types"),
      node("store", ["types"]),
      node("format", ["types"]),
      node("cli", ["types", "store", "format"]),
      node("docs", ["cli", "types"]),
    );
    const svg = dagSvg(p, {});
    const boxes = boxesOf(svg);
    expect(boxes).toHaveLength(5);
    const edges = edgePoints(svg);
    expect(edges).toHaveLength(7);
    for (const e of edges)
      for (const point of e.points)
        for (const box of boxes)
          expect(inside(point, box), `${e.from}>${e.to} at ${point.x},${point.y}`).toBe(false);
    // The three edges into cli end at three different heights on its left side.
    const cli = boxes[3];
    const ends = edges.filter((e) => e.to === "cli").map((e) => e.points.at(-1));
    expect(ends.every((end) => end?.x === cli?.x)).toBe(true);
    expect(new Set(ends.map((end) => end?.y)).size).toBe(3);
  });

  it("draws a timeline with one lane per node, a bar for each time it ran, in seconds from the start", () => {
    const svg = ganttSvg({
      nodes: ["a", "b", "c"],
      spans: {
        a: [{ start: 1, end: 4 }],
        b: [
          { start: 1, end: 3 },
          { start: 6, end: 8 },
        ],
      },
      states: { a: "done", b: "failed", c: "blocked" },
      stages: [
        { at: 0, text: "planning" },
        { at: 1, text: "coding" },
      ],
      seconds: 10,
    });
    const lanes = [...svg.matchAll(/<g class="node-bars" data-node="([^"]+)">/g)].map((m) => m[1]);
    expect(lanes).toEqual(["a", "b", "c"]);
    const bars = [
      ...svg.matchAll(
        /<rect class="bar" data-node="([^"]+)"[^>]* x="([\d.]+)"[^>]* width="([\d.]+)"[^>]* fill="([^"]+)"/g,
      ),
    ].map((m) => ({ node: m[1], x: Number(m[2]), width: Number(m[3]), fill: m[4] }));
    expect(bars.map((b) => b.node)).toEqual(["a", "b", "b"]);
    // Both started at 1 s: their bars start at the same x, so running side by side is visible.
    expect(bars[0]?.x).toBe(bars[1]?.x);
    expect(bars[0]?.width).toBeCloseTo(((bars[1]?.width ?? 0) * 3) / 2, 0);
    expect(bars.map((b) => b.fill)).toEqual(["#bbf7d0", "#fecaca", "#fecaca"]);
    expect(svg).toContain("did not run (blocked)");
    expect(svg).toMatch(/>0 s</);
    expect(svg).toMatch(/>10 s</);
    expect(svg.match(/<g class="stage">/g)).toHaveLength(2);
  });

  it("writes a stage's label only where it has room, leaving a crowded one to its tooltip", () => {
    const svg = ganttSvg({
      nodes: ["a"],
      spans: { a: [{ start: 0, end: 40 }] },
      states: { a: "done" },
      stages: ["integrating", "checking", "reviewing"].map((text, i) => ({ at: 30 + i * 0.4, text })),
      seconds: 40,
    });
    expect(svg.match(/<g class="stage">/g)).toHaveLength(3);
    expect(svg.match(/<title>3\d\.\d s: (integrating|checking|reviewing)<\/title>/g)).toHaveLength(3);
    expect(svg.match(/font-size="11">(integrating|checking|reviewing)</g)).toEqual([
      'font-size="11">integrating<',
      'font-size="11">checking<',
    ]);
  });

  it("says the verdict, where the result is, and escapes untrusted text in the HTML", () => {
    const { markdown, html } = renderReport(baseView);
    expect(markdown).toContain("Result: ❌ failed: it reached the revision limit");
    expect(markdown).toContain("`swarm/1-add-search/integration` at 0123456");
    expect(markdown).toContain(
      "| a | <script>alert(1)</script> | done | 2.3 s | 1,200 tokens · $0.010 | Wrote a. |",
    );
    expect(markdown).toContain("- `src/a.ts:3`: off by one");
    expect(markdown).toContain("```mermaid");
    expect(markdown).toContain("- 1.5 s: coding");
    expect(markdown).toContain("| a | 1.5 s | 3.8 s |");
    expect(html).toContain("<title>swarm: Add &lt;b&gt;search&lt;/b&gt;</title>");
    expect(html).not.toContain("<script>");
    expect(html).toContain("<pre><code>1 test failed</code></pre>");
    expect(html).toContain('<span role="img" aria-label="failed" title="failed">❌</span> failed');
  });

  it("renders the Markdown in notes, reviews, summaries and the plan, and never the HTML or scripts in them", () => {
    const { html } = renderReport({
      ...baseView,
      plan: { ...diamond, summary: "Split **search** into `index` and `query`." },
      summaries: { a: "Added `search()` and **tests**." },
      reviews: [
        {
          body: "**Checks failed.** The `query` node must handle an empty term.\n\n- one\n- two",
          comments: [
            {
              path: "src/a.ts",
              line: 3,
              body: 'Use `trim()` here. <img src=x onerror=alert(1)>\n\n<sub>Sent to node `a`.</sub> <sub onclick="x">y</sub> <a href="javascript:alert(3)">z</a>',
            },
          ],
        },
      ],
      checks: [
        { name: "npm test", conclusion: "failure", title: "Failed", summary: "1 test failed: **/a.test.ts" },
        {
          name: "swarm",
          conclusion: "success",
          title: "All checks pass",
          summary: "`npm test`: success\n\n**Every node is done.**",
        },
      ],
      notes: [
        "**swarm stopped:** [click](javascript:alert(1)) <script>alert(2)</script> `limits.maxRevisions` reached",
      ],
      headline: "Stopped at `maxRevisions`.",
    });
    expect(html).toContain(
      "<p>Split <strong>search</strong> into <code>index</code> and <code>query</code>.</p>",
    );
    expect(html).toContain("Added <code>search()</code> and <strong>tests</strong>.");
    expect(html).toContain("<strong>Checks failed.</strong> The <code>query</code> node");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("Use <code>trim()</code> here. &lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
    // swarm's own bare <sub> stays markup; with attributes, or any other tag, it is text.
    expect(html).toContain(
      "<sub>Sent to node <code>a</code>.</sub> &lt;sub onclick=&quot;x&quot;&gt;y</sub>",
    );
    expect(html).toContain("&lt;a href=&quot;javascript:alert(3)&quot;&gt;z");
    // A failed check's summary is its output, verbatim; swarm's own check says Markdown, rendered.
    expect(html).toContain("<pre><code>1 test failed: **/a.test.ts</code></pre>");
    expect(html).toContain(
      "<p><code>npm test</code>: success</p>\n<p><strong>Every node is done.</strong></p>",
    );
    expect(html).toContain("Stopped at <code>maxRevisions</code>.");
    expect(html).toContain("<code>swarm/1-add-search/integration</code>");
    expect(html).not.toMatch(/<(script|img)\b/);
    expect(html).not.toMatch(/href="javascript:/i);
    // What a reader sees holds no Markdown left unrendered, but for the check's output, shown as it was.
    const body = textOf(html.slice(html.indexOf("<body>")).replace(/<pre>[\s\S]*?<\/pre>/g, ""));
    expect(body).not.toContain("**");
    expect(body).not.toMatch(/`[^`\n]+`/);
  });

  it("fills 'what it did' for nodes that did not finish with why", () => {
    const { markdown, html } = renderReport({
      ...baseView,
      states: { a: "done", b: "failed", c: "done", d: "blocked" },
      failures: {
        b: "**Node `b` failed:** after 12 turns (end_turn), 1 check failure that was not there before it started:\n\n- `npm test`: expected 2 to be 3",
      },
    });
    expect(html).toContain(
      '<td class="did"><p><strong>Node <code>b</code> failed:</strong> after 12 turns (end_turn), 1 check failure',
    );
    expect(html).toContain("Did not start: it depends on <code>b</code> (failed).");
    expect(markdown).toMatch(
      /\| b \| Node b \| failed \| {2}\| {2}\| \*\*Node `b` failed:\*\* after 12 turns/,
    );
    expect(markdown).toContain("| d | Node d | blocked |  |  | Did not start: it depends on `b` (failed). |");
  });

  it("cuts a long Markdown cell without leaving a code span or bold open", () => {
    const long = `**Node \`b\` failed:** ${"x".repeat(60)} \`a-very-long-code-span-that-the-cut-lands-inside\``;
    const { markdown } = renderReport({
      ...baseView,
      states: { a: "done", b: "failed", c: "done", d: "done" },
      failures: { b: long },
    });
    const row = markdown.split("\n").find((l) => l.startsWith("| b |")) ?? "";
    const cellText = row.split(" | ").at(-1) ?? "";
    expect(cellText.endsWith("… |")).toBe(true);
    expect((cellText.match(/`/g) ?? []).length % 2).toBe(0);
    expect((cellText.match(/\*\*/g) ?? []).length % 2).toBe(0);
  });

  it("says a run no check looked at is not verified: neither green nor failed", () => {
    const { markdown, html } = renderReport({
      ...baseView,
      status: "unverified",
      headline: "No checks are configured, so nothing verified the result.",
      checks: [],
    });
    expect(markdown).toContain(
      "Result: ⚠️ not verified: No checks are configured, so nothing verified the result.",
    );
    expect(markdown).not.toMatch(/✅|❌/);
    expect(html).toContain(
      '<span role="img" aria-label="warning" title="warning">⚠️</span> not verified</span>',
    );
    expect(html).not.toMatch(/✅|❌/);
  });
});
