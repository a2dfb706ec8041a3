import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type ReportView, renderReport } from "../../src/pipeline/report/render-report.js";
import { node } from "../support/plans.js";

// The report as a browser shows it: headless Chromium loads report.html and prints the DOM it built, so what
// is asserted is what a reader sees, not the string swarm wrote.

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "swarm-report-chromium-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const view: ReportView = {
  title: "Complete todos and print a summary",
  status: "failed",
  headline: "Nodes that did not finish: `format` (failed).",
  runId: "local-mabc123",
  repoDir: "/home/me/todo-app",
  base: "main",
  branch: null,
  headSha: null,
  plan: {
    summary: "Add a **done** flag in `types`, then let `store` and `format` use it side by side.",
    nodes: [
      node("types", [], ["src/types.ts"], { title: "Add the done flag" }),
      node("store", ["types"], ["src/store.ts"], { title: "Complete a todo" }),
      node("format", ["types"], ["src/format.ts"], { title: "Format the list <script>alert(1)</script>" }),
    ],
  },
  states: { types: "done", store: "done", format: "failed" },
  summaries: {
    types: "Added `done: boolean` to **Todo**.",
    store: "Added `complete(id)`; it throws **NotFound** for an unknown id.",
  },
  failures: {
    format:
      "**Node `format` failed:** after 14 turns (end_turn), 1 check failure that was not there before it started:\n\n- `npx vitest run` › formats a done todo: expected `[ ] a` to be `[x] a`",
  },
  checks: [
    {
      name: "npx vitest run",
      conclusion: "failure",
      title: "Failed with exit code 1",
      summary:
        "FAIL test/format.test.ts > formats a done todo\nAssertionError: expected '[ ] a' to be '[x] a'",
    },
    {
      name: "swarm",
      conclusion: "success",
      title: "All checks pass",
      summary: "`npx tsc --noEmit`: success\n\n**Every node is done** and the repository's checks pass.",
    },
  ],
  reviews: [
    {
      body: "**Checks failed.** The marks in `format` are swapped.\n\n1. Swap `[x]` and `[ ]`.\n2. Run `npx vitest run` again.\n\n<img src=x onerror=alert(1)>",
      comments: [
        {
          path: "src/format.ts",
          line: 4,
          body: '**Swapped:** use `item.done ? "[x]" : "[ ]"`.\n\n<sub>Sent to node `format`.</sub>',
        },
      ],
    },
  ],
  notes: [
    "Node `format`: **Node `format` failed:** after 14 turns (end_turn), 1 check failure. [details](javascript:alert(1))",
  ],
  ledger: { byModel: {}, byNode: {}, tokens: 48_210, usd: 0.21 },
  seconds: 21.4,
  stages: [
    { at: 0, text: "planning" },
    { at: 2.1, text: "coding" },
    { at: 19.8, text: "failed" },
  ],
  nodeSpans: {
    types: [{ start: 2.1, end: 6.3 }],
    store: [{ start: 6.4, end: 12.9 }],
    format: [{ start: 6.4, end: 19.7 }],
  },
  modelSource: "the Anthropic API",
};

/** The DOM Chromium built from the file, serialized; fails, saying how to get Chromium, when it is missing. */
async function renderedDom(file: string): Promise<string> {
  const found = await run("chromium", ["--version"], { timeout: 30_000 }).then(
    () => true,
    () => false,
  );
  if (!found)
    throw new Error(
      "chromium is not installed, and this test needs it: run `bash scripts/test.sh`, which installs it (Debian package chromium).",
    );
  const { stdout } = await run(
    "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      `--user-data-dir=${join(dir, "profile")}`,
      "--dump-dom",
      pathToFileURL(file).href,
    ],
    { timeout: 60_000, killSignal: "SIGKILL", maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

/** What a reader sees of the body: no style, no tags, entities decoded. */
function visibleText(dom: string): string {
  const body = dom.slice(dom.indexOf("<body"));
  return body
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

const tagsOf = (dom: string, test: RegExp) =>
  [...dom.matchAll(/<[a-z]+\b[^>]*>/g)].map((m) => m[0]).filter((t) => test.test(t));
const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];

describe("report.html in a browser", () => {
  it("shows rendered Markdown, one timeline lane per node, and one DAG edge per dependency", async () => {
    const file = join(dir, "report.html");
    writeFileSync(file, renderReport(view).html);
    const dom = await renderedDom(file);
    expect(dom).toContain("</svg>");
    const text = visibleText(dom);

    // The Markdown was rendered: no bold marks or code spans are left as text…
    expect(text).not.toContain("**");
    expect(text.match(/`[^`\n]+`/g) ?? []).toEqual([]);
    // …because they became elements.
    expect(dom).toContain("<strong>Checks failed.</strong>");
    expect(dom).toContain("<code>complete(id)</code>");
    expect(dom).toContain("<sub>Sent to node <code>format</code>.</sub>");
    expect(dom).toContain("<strong>Every node is done</strong> and the repository's checks pass.");
    expect(dom).toMatch(
      /<td class="did"><p><strong>Node <code>format<\/code> failed:<\/strong> after 14 turns/,
    );
    expect(dom).toMatch(/<ol>\s*<li>Swap <code>\[x\]<\/code> and <code>\[ \]<\/code>\.<\/li>/);

    // Untrusted HTML stayed text: the page has no script, image or javascript: link, and shows the markup.
    expect(tagsOf(dom, /^<(script|img)\b/)).toEqual([]);
    expect(dom).not.toMatch(/href="javascript:/i);
    expect(text).toContain("<img src=x onerror=alert(1)>");
    expect(text).toContain("Format the list <script>alert(1)</script>");

    // The verdict reads as a word, whatever the emoji font.
    expect(text).toMatch(/Result:\s+❌\s+failed\s*:/);

    // The timeline: exactly one lane per node, each with a bar for its one run, coloured by status.
    const nodes = view.plan?.nodes.map((n) => n.id) ?? [];
    const lanes = tagsOf(dom, /class="node-bars"/).map((t) => attr(t, "data-node"));
    expect(lanes.sort()).toEqual([...nodes].sort());
    const bars = tagsOf(dom, /^<rect\b[^>]*class="bar"/);
    expect(bars.map((b) => attr(b, "data-node")).sort()).toEqual([...nodes].sort());
    const x = (id: string) => Number(attr(bars.find((b) => attr(b, "data-node") === id) ?? "", "x"));
    // store and format started together: side by side on the chart, after types.
    expect(x("store")).toBe(x("format"));
    expect(x("store")).toBeGreaterThan(x("types"));

    // The DAG: one edge per dependency, from the dependency to the node.
    const edges = tagsOf(dom, /^<path\b[^>]*class="edge"/).map(
      (t) => `${attr(t, "data-from")}>${attr(t, "data-to")}`,
    );
    const dependencies = view.plan?.nodes.flatMap((n) => n.dependsOn.map((d) => `${d}>${n.id}`)) ?? [];
    expect(edges.sort()).toEqual(dependencies.sort());
  }, 90_000);
});
