// The scripted model behind the eval test: it plans and codes two of the built-in tasks (examples/eval),
// as agents do (read the file, write, run the checks, finish). js-slugify it solves. js-money it gets wrong
// in a way the repository's own checks do not see: a credit note comes out `$-3.50`, not `-$3.50`, so swarm
// goes green and only the hidden tests catch it. Told it may make one node (`--compare single`), the
// planner makes one node that owns every file.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Plan } from "../../src/domain/plan/plan.js";
import { call } from "./fake-anthropic/agent-calls.js";
import { reply } from "./fake-anthropic/script.js";
import { node } from "./plans.js";

const root = resolve(import.meta.dirname, "../..");
const solution = (task: string, path: string) =>
  readFileSync(join(root, "examples/eval", task, "solution", path), "utf8");

const WRONG_MONEY = `/** An amount in cents as dollars: \`$1,234.56\`. */
export function formatCents(cents) {
  const abs = Math.abs(cents);
  const dollars = Math.floor(abs / 100).toString().replace(/\\B(?=(\\d{3})+(?!\\d))/g, ",");
  return \`$\${cents < 0 ? "-" : ""}\${dollars}.\${String(abs % 100).padStart(2, "0")}\`;
}
`;

type Task = { title: string; id: string; first: [string, string]; second: [string, string] };
const TASKS: Task[] = [
  {
    title: "Readable post URLs",
    id: "js-slugify",
    first: ["slug", "src/slug.js"],
    second: ["posts", "src/posts.js"],
  },
  {
    title: "Invoice totals in dollars",
    id: "js-money",
    first: ["money", "src/money.js"],
    second: ["invoice", "src/invoice.js"],
  },
];

const fileText = (task: Task, path: string) =>
  task.id === "js-money" && path === "src/money.js" ? WRONG_MONEY : solution(task.id, path);

function planOf(task: Task, oneNode: boolean): Plan {
  const [a, aFile] = task.first;
  const [b, bFile] = task.second;
  if (oneNode)
    return {
      summary: "One node does it all.",
      nodes: [node("all", [], [aFile, bFile], { title: task.title, size: "S" })],
    };
  return {
    summary: `${a} first, then ${b} uses it.`,
    nodes: [
      node(a, [], [aFile], { title: `Add ${aFile}`, size: "S" }),
      node(b, [a], [bFile], { title: `Use it in ${bFile}`, size: "S" }),
    ],
  };
}

export function evalModel(req: MessageCreateParams) {
  const system = JSON.stringify(req.system);
  const text = JSON.stringify(req.messages);
  const task = TASKS.find((t) => text.includes(t.title));
  if (system.includes("You are the reviewer of swarm"))
    return reply.json({ summary: "The checks pass and the change does what the spec asks.", findings: [] });
  if (!task) return reply.text("ready");
  if (system.includes("You are the planner of swarm"))
    return reply.json(planOf(task, system.includes("at most 1 nodes")));
  const id = /Your node: `([a-z0-9-]+)`/.exec(text)?.[1];
  if (!id) return reply.text("ready");
  const files =
    id === "all" ? [task.first[1], task.second[1]] : [id === task.first[0] ? task.first[1] : task.second[1]];
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  const steps = [
    () => call.bash("ls src test && cat src/*.js"),
    ...files.map((f) => () => call.create(f, fileText(task, f))),
    () => call.runChecks(),
    () => call.finish(`Wrote ${files.join(", ")}; the checks pass.`, `${files.join(", ")} as the spec says.`),
  ];
  return steps[turn]?.() ?? reply.text("Done.");
}
