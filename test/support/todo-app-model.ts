// The scripted model behind the offline demo (examples/todo-app, TypeScript): it plans the spec in three
// nodes; each coder looks around with the shell, writes its file with the editor, runs the type checker,
// then the checks, and finishes with a handoff note (the first `format` swaps the done marks, which only
// the acceptance tests on the merged result show); the reviewer reads the failed vitest run and sends
// `format` back. scripts/record-demo.ts records a run of it as examples/todo-app.trace.jsonl;
// test/e2e/demo.test.ts runs it live and replays the recording.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Plan } from "../../src/domain/plan/plan.js";
import { call } from "./fake-anthropic/agent-calls.js";
import { reply } from "./fake-anthropic/script.js";
import { node } from "./plans.js";
import { textOf } from "./stats-library.js";

const plan: Plan = {
  summary: "complete and format are independent and run in parallel; summary builds on both.",
  nodes: [
    node("complete", [], ["src/complete.ts"], {
      title: "Mark an item done",
      goal: "complete(store, id) marks the item done and returns it; an unknown id throws an Error naming it.",
      acceptance: ["complete(store, 99) throws on a store without item 99"],
      size: "S",
    }),
    node("format", [], ["src/format.ts"], {
      title: "Format the list",
      goal: "formatList(items): one line per item, `[x] title` when done, `[ ] title` otherwise.",
      acceptance: ["a done item starts with [x]"],
      size: "S",
    }),
    node("summary", ["complete", "format"], ["src/summary.ts"], {
      title: "Print a summary",
      goal: "summary(store): the formatted list, then `N of M done`.",
      acceptance: ["the last line is `1 of 2 done` for one done item of two"],
      size: "S",
      role: "integrate",
    }),
  ],
};

const SWAPPED = 'item.done ? "[ ]" : "[x]"';
const FIXED = 'item.done ? "[x]" : "[ ]"';
const FILES: Record<string, string> = {
  complete: [
    'import type { Item, Store } from "./store.js";',
    "",
    "export function complete(store: Store, id: number): Item {",
    "  const item = store.items.find((i) => i.id === id);",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the demo's own TypeScript, with its template literal.
    "  if (!item) throw new Error(`no todo with id ${id}`);",
    "  item.done = true;",
    "  return item;",
    "}",
    "",
  ].join("\n"),
  format: [
    'import type { Item } from "./store.js";',
    "",
    "export function formatList(items: readonly Item[]): string {",
    `  return items.map((item) => \`\${${SWAPPED}} \${item.title}\`).join("\\n");`,
    "}",
    "",
  ].join("\n"),
  summary: [
    'import { formatList } from "./format.js";',
    'import type { Store } from "./store.js";',
    "",
    "export function summary(store: Store): string {",
    "  const done = store.items.filter((i) => i.done).length;",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the demo's own TypeScript, with its template literal.
    "  return `${formatList(store.items)}\\n${done} of ${store.items.length} done`;",
    "}",
    "",
  ].join("\n"),
};
const EXPORTS: Record<string, string> = {
  complete: "complete(store: Store, id: number): Item, from src/complete.ts; it throws for an unknown id.",
  format: "formatList(items: readonly Item[]): string, from src/format.ts; one line per item.",
  summary: "",
};

/** The planner, the coders and the reviewer of the demo, scripted. */
export function todoAppModel(req: MessageCreateParams) {
  const system = JSON.stringify(req.system);
  const text = textOf(req);
  if (system.includes("You are the planner of swarm")) return reply.json(plan);
  if (system.includes("You are the reviewer of swarm")) {
    // As a reviewer would: it searches the failing check's whole log before it answers.
    const check = /can be read with job_log: "([^"]+)"/.exec(text)?.[1];
    if (check && req.messages.length === 1) return call.jobLog(check, { search: "FAIL|AssertionError" });
    if (!text.includes("to be '[x] write the spec"))
      return reply.json({ summary: "Nothing in the checks points at the code.", findings: [] });
    const line = (text.split("+++ b/src/format.ts\n")[1] ?? "").includes(SWAPPED) ? 4 : 1;
    return reply.json({
      summary: "`formatList` marks done items `[ ]` and open ones `[x]`: the marks are swapped.",
      findings: [
        {
          path: "src/format.ts",
          line,
          message: `The marks are swapped: a done item must read \`[x]\`, so use \`${FIXED}\`.`,
          node: "format",
          interfaceChanged: false,
        },
      ],
    });
  }
  const id = /Your node: `([a-z0-9-]+)`/.exec(text)?.[1] ?? "";
  const file = `src/${id}.ts`;
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  // As an agent would: the checks when the node has them, else the type checker through the shell.
  const offered = (req.tools ?? []).some((t) => "name" in t && t.name === "run_checks");
  const checks = () => (offered ? call.runChecks() : call.bash("npx tsc --noEmit"));
  if (text.includes("This node is being revised")) {
    const steps = [
      () => call.view(file),
      () => call.replace(file, SWAPPED, FIXED),
      checks,
      () => call.finish(`Fixed the swapped marks in ${file}, as the review asked.`, EXPORTS[id] ?? ""),
    ];
    return steps[turn]?.() ?? reply.text("Done.");
  }
  const steps = [
    () => call.bash(`cat src/store.ts && grep -n "${id}" test/acceptance.test.ts`),
    () => call.create(file, FILES[id] ?? ""),
    () => call.bash("npx tsc --noEmit"),
    checks,
    () => call.finish(`Wrote ${file}; it type-checks.`, EXPORTS[id] ?? ""),
  ];
  return steps[turn]?.() ?? reply.text("Done.");
}
