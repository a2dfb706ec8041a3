// A small ES-module statistics library as a target repository, and a scripted model that plans it in a
// diamond of four nodes, codes each node (the first `stats` has a bug that only the library's behaviour
// checks show), reviews failed checks, and checks a green head against the spec. The review-loop test and
// bench:github share it. Titles steer it: "(correct)" codes `stats` right the first time; "(stubborn)" makes
// its revision miss the bug again; "(unmoved)" makes `index`'s revision change nothing. A spec that asks
// for `summary([])` is a criterion the first `index` misses and only the check against the spec finds.
// Each node's own check is a syntax check in the sandbox; CI runs `node test/check.mjs`.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Plan } from "../../src/domain/plan/plan.js";
import { toolResults } from "./agent-script.js";
import { call } from "./fake-anthropic/agent-calls.js";
import { reply } from "./fake-anthropic/script.js";
import type { FakeGitHub } from "./fake-github/server.js";
import type { RepoState } from "./fake-github/state.js";
import { node } from "./plans.js";

const plan: Plan = {
  summary: "core first; stats and format on it, in parallel; index ties them together.",
  nodes: [
    node("core", [], ["src/core.js"], { title: "Arithmetic core" }),
    node("stats", ["core"], ["src/stats.js"], { title: "Mean of a list" }),
    node("format", ["core"], ["src/format.js"], { title: "Number formatting" }),
    node("index", ["stats", "format"], ["src/index.js"], { title: "Summary entry point", role: "integrate" }),
  ],
  interfaces: [
    {
      name: "mean",
      kind: "function",
      definition: "export function mean(xs: number[]): number",
      provider: "stats",
      users: ["index"],
    },
    {
      name: "formatNumber",
      kind: "function",
      definition: "export function formatNumber(x: number): string // two decimals",
      provider: "format",
      users: ["index"],
    },
  ],
};

const CHECK = [
  'import { mean } from "../src/stats.js";',
  'import { summary } from "../src/index.js";',
  "let failed = 0;",
  "const expectEqual = (actual, expected, what, line) =>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's own JavaScript, with its template literal.
  "  actual === expected || (failed++, console.log(`test/check.mjs:${line}:1: error: ${what} returned ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`));",
  'expectEqual(mean([2, 4]), 3, "mean([2, 4])", 6);',
  'expectEqual(summary([1, 2, 3]), "mean: 2.00", "summary([1, 2, 3])", 7);',
  'if (failed) process.exit(1); else console.log("all checks pass");',
  "",
].join("\n");

const BUGGY_MEAN =
  'import { add } from "./core.js";\n\nexport function mean(xs) {\n  return xs.reduce(add, 0) / (xs.length + 1);\n}\n';
const FILES: Record<string, (revised: boolean, stubborn: boolean, note: string) => string> = {
  core: () => "export function add(a, b) {\n  return a + b;\n}\n",
  stats: (revised, stubborn) =>
    !revised
      ? BUGGY_MEAN
      : stubborn
        ? `// Averages a list.\n${BUGGY_MEAN}`
        : BUGGY_MEAN.replace("(xs.length + 1)", "xs.length"),
  // A revision writes the note it was asked for above the function.
  format: (_revised, _stubborn, note) =>
    `${note ? `/** ${note} */\n` : ""}export function formatNumber(n) {\n  return n.toFixed(2);\n}\n`,
  index: () =>
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's own JavaScript, with its template literal.
    'import { formatNumber } from "./format.js";\nimport { mean } from "./stats.js";\n\nexport function summary(xs) {\n  return `mean: ${formatNumber(mean(xs))}`;\n}\n',
};
const EMPTY_GUARD = '  if (xs.length === 0) return "mean: n/a";\n';

export const textOf = (req: MessageCreateParams) =>
  req.messages
    .map((m) =>
      typeof m.content === "string"
        ? m.content
        : m.content.map((b) => ("text" in b ? b.text : "")).join("\n"),
    )
    .join("\n");

/** The line of `path` holding `needle`, counted on the new side of a unified diff. */
function lineInDiff(diff: string, path: string, needle: string): number {
  const section = diff.split(`+++ b/${path}\n`)[1] ?? "";
  let line = Number(/@@ -\d+(?:,\d+)? \+(\d+)/.exec(section)?.[1] ?? 0);
  for (const row of section.split("\n").slice(1)) {
    if (row.startsWith("diff ")) break;
    if (row.includes(needle)) return line;
    if (!row.startsWith("-")) line++;
  }
  return 0;
}

/** The planner, the coders and the reviewer, scripted. */
export function statsLibraryModel(req: MessageCreateParams) {
  const system = JSON.stringify(req.system);
  const text = textOf(req);
  if (system.includes("You are the planner of swarm")) return reply.json(plan);
  if (system.includes("You are the reviewer of swarm")) {
    if (text.includes("check the change against the spec")) return specCheck(req, text);
    if (!text.includes("mean([2, 4]) returned"))
      return reply.json({ summary: "Nothing in the checks points at the code.", findings: [] });
    const line = lineInDiff(text, "src/stats.js", "xs.length + 1");
    return reply.json({
      summary: "`mean` divides by one more than the number of values, so every average is low.",
      findings: [
        {
          path: "src/stats.js",
          line,
          message: "`mean` divides by `xs.length + 1`; divide by `xs.length`.",
          node: "stats",
          interfaceChanged: false,
        },
      ],
    });
  }
  const id = /Your node: `([a-z0-9-]+)`/.exec(text)?.[1] ?? "";
  const revised = text.includes("This node is being revised");
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  if (turn === 0) {
    let file =
      FILES[id]?.(
        revised || text.includes("(correct)"),
        text.includes("(stubborn)"),
        /`src\/format\.js(?::\d+)?`: (.+)/.exec(text)?.[1] ?? "",
      ) ?? "";
    // Sent back for the empty list, the entry point guards it (unless the title says it stays unmoved).
    if (id === "index" && revised && text.includes("mean: n/a") && !text.includes("(unmoved)"))
      file = file.replace("export function summary(xs) {\n", `export function summary(xs) {\n${EMPTY_GUARD}`);
    return call.create(`src/${id}.js`, file);
  }
  if (turn === 1) return call.finish(revised ? `Revised ${id}.` : `Wrote ${id}.`);
  return reply.text("Done.");
}

/**
 * The reviewer on a green head, as a reviewer checks a spec: a criterion about `summary([])` is not in the
 * diff's tests, so it reads the entry point first and judges from what the file holds.
 */
function specCheck(req: MessageCreateParams, text: string) {
  const note = {
    path: "src/format.js",
    line: 0,
    message: "`formatNumber` could say in a comment that it rounds to two decimals.",
    node: "format",
    interfaceChanged: false,
    blocking: false,
  };
  if (!text.includes("`summary([])`"))
    return reply.json({ summary: "The change does what the spec asks.", findings: [] });
  const viewed = toolResults(req).at(-1);
  if (viewed === undefined) return call.view("src/index.js");
  if (viewed.includes("xs.length === 0"))
    return reply.json({ summary: "`summary` now answers an empty list as the spec asks.", findings: [note] });
  const line = Number(/(\d+)\texport function summary/.exec(viewed)?.[1] ?? 0);
  return reply.json({
    summary:
      "The checks pass, but `summary([])` returns `mean: NaN`: nothing handles the empty list the spec names.",
    findings: [
      {
        path: "src/index.js",
        line,
        message:
          'The spec asks that `summary([])` return "mean: n/a"; it divides by zero and returns "mean: NaN". Return "mean: n/a" for an empty list.',
        node: "index",
        interfaceChanged: false,
        blocking: true,
      },
      note,
    ],
  });
}

/**
 * The library's repository on the fake GitHub, over HTTP (so pushes start CI), with CI enabled unless
 * `workflows: false` (a repository without PR checks); `validation` replaces its validation block; `files` are added.
 */
export function createStatsLibraryRepo(
  github: FakeGitHub,
  name: string,
  extraConfig = "",
  options: { workflows?: boolean; validation?: string; files?: Record<string, string> } = {},
): RepoState {
  const repo = github.createRepo(
    "acme",
    name,
    {
      "package.json": '{ "name": "stats", "type": "module", "private": true }\n',
      "lint.sh": 'for f in src/*.js; do node --check "$f" || exit 1; done; echo "syntax ok"\n',
      "test/check.mjs": CHECK,
      "src/.keep": "",
      ".github/swarm.yml": `${options.validation ?? "validation:\n  commands: [sh lint.sh]\n"}pullRequest:\n  reviewers: [octocat]\n${extraConfig}`,
      ...options.files,
    },
    { gitOverHttp: true },
  );
  if (options.workflows !== false) github.ci.enable(repo, "node test/check.mjs", { name: "test" });
  return repo;
}
