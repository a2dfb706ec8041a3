// The scripted model behind the offline demo (examples/todo-app): it plans the spec in three nodes, codes
// each (the first `format` swaps the done marks, which only the acceptance check on the merged result
// shows), and reviews the failed check, sending `format` back. scripts/record-demo.ts records a run of it
// as examples/todo-app.trace.jsonl; test/e2e/demo.test.ts runs it live and replays the recording.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Plan } from "../../src/domain/plan/plan.js";
import { reply } from "./fake-anthropic/script.js";
import { node } from "./plans.js";
import { textOf } from "./stats-library.js";

const plan: Plan = {
  summary: "complete and format are independent and run in parallel; summary builds on both.",
  nodes: [
    node("complete", [], ["src/complete.js"], {
      title: "Mark an item done",
      goal: "complete(store, id) marks the item done; an unknown id throws an Error naming it.",
      acceptance: ["complete(store, 99) throws on a store without item 99"],
      size: "S",
    }),
    node("format", [], ["src/format.js"], {
      title: "Format the list",
      goal: "formatList(items): one line per item, `[x] title` when done, `[ ] title` otherwise.",
      acceptance: ["a done item starts with [x]"],
      size: "S",
    }),
    node("summary", ["complete", "format"], ["src/summary.js"], {
      title: "Print a summary",
      goal: "summary(store): the formatted list, then `N of M done`.",
      acceptance: ["the last line is `1 of 2 done` for one done item of two"],
      size: "S",
      role: "integrate",
    }),
  ],
};

const SWAPPED = 'item.done ? "[ ]" : "[x]"';
const FILES: Record<string, (revised: boolean) => string> = {
  complete: () =>
    [
      "export function complete(store, id) {",
      "  const item = store.items.find((i) => i.id === id);",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the demo's own JavaScript, with its template literal.
      "  if (!item) throw new Error(`no todo with id ${id}`);",
      "  item.done = true;",
      "  return item;",
      "}",
      "",
    ].join("\n"),
  format: (revised) =>
    [
      "export function formatList(items) {",
      `  return items.map((item) => \`\${${revised ? 'item.done ? "[x]" : "[ ]"' : SWAPPED}} \${item.title}\`).join("\\n");`,
      "}",
      "",
    ].join("\n"),
  summary: () =>
    [
      'import { formatList } from "./format.js";',
      "",
      "export function summary(store) {",
      "  const done = store.items.filter((i) => i.done).length;",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the demo's own JavaScript, with its template literal.
      "  return `${formatList(store.items)}\\n${done} of ${store.items.length} done`;",
      "}",
      "",
    ].join("\n"),
};

/** The planner, the coders and the reviewer of the demo, scripted. */
export function todoAppModel(req: MessageCreateParams) {
  const system = JSON.stringify(req.system);
  const text = textOf(req);
  if (system.includes("You are the planner of swarm")) return reply.json(plan);
  if (system.includes("You are the reviewer of swarm")) {
    if (!text.includes("formatList(items) returned"))
      return reply.json({ summary: "Nothing in the checks points at the code.", findings: [] });
    const line = (text.split("+++ b/src/format.js\n")[1] ?? "").includes(SWAPPED) ? 2 : 1;
    return reply.json({
      summary: "`formatList` marks done items `[ ]` and open ones `[x]`: the marks are swapped.",
      findings: [
        {
          path: "src/format.js",
          line,
          message: 'The marks are swapped: a done item must read `[x]`, so use `item.done ? "[x]" : "[ ]"`.',
          node: "format",
          interfaceChanged: false,
        },
      ],
    });
  }
  const id = /Your node: `([a-z0-9-]+)`/.exec(text)?.[1] ?? "";
  const revised = text.includes("This node is being revised");
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  if (turn === 0) return reply.tool("create_file", { path: `src/${id}.js`, text: FILES[id]?.(revised) });
  if (turn === 1) return reply.tool("run_checks", {});
  if (turn === 2)
    return reply.tool("finish", {
      summary: revised ? `Fixed ${id} as the review asked.` : `Wrote src/${id}.js.`,
      handoff: "",
    });
  return reply.text("Done.");
}
