// npm run bench:cost — what the prompt cache saves on a six-node run (three coders at once at the widest):
// `swarm run` on the units library (test/support/units-library.ts), its coders scripted as agents (they
// explore, write, run the checks, one fixes its mistake), live against the fake Messages API, whose cache
// follows the documented rules (prefix order, each model's minimum, the 20-block lookback, lifetimes, an
// entry only once its first answer has started). Side by side in one run, each with a cache of its own:
//   as built              the run block (spec, plan, conventions, repository map) cached once for the run,
//                         each node's block after it, warmed before the first coders start;
//   as built, no warm-up  the same without the warming call (`cache.warm: false`);
//   layout before #21     the breakpoints where issue 21 found them, before any of its work: after the system
//                         prompt, after the node's own context (the end of its first message) and on the
//                         newest turn, with no lookback guard (the fake's cache sees the request so; what is
//                         sent is the same, so only the breakpoints differ);
//   caching off           no breakpoints at all.
// Cost is the ledger's, at the configured prices (DEFAULT_PRICES in src/domain/config/repo-config.ts).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MessageCreateParams, TextBlockParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { runLocally } from "../src/entry/run-locally.js";
import type { TraceLine } from "../src/model/trace/trace-line.js";
import { startFakeAnthropic } from "../test/support/fake-anthropic/server.js";
import { blocksOf } from "../test/support/fake-anthropic/usage.js";
import { makeUnitsRepo, UNITS_SPEC, unitsModel } from "../test/support/units-library.js";

const CALL_MS = Number(process.env.CALL_MS ?? 300);

type Body = MessageCreateParams;
const unmark = <T extends object>(block: T): T => {
  const { cache_control: _, ...rest } = block as T & { cache_control?: unknown };
  return rest as T;
};
const unmarked = (body: Body): Body => ({
  ...body,
  tools: body.tools?.map(unmark),
  system: Array.isArray(body.system) ? body.system.map(unmark) : body.system,
  messages: body.messages.map((m) =>
    typeof m.content === "string" ? m : ({ ...m, content: m.content.map(unmark) } as typeof m),
  ),
});
const markLast = (blocks: readonly object[]) =>
  blocks.map((b, i) => (i === blocks.length - 1 ? { ...b, cache_control: { type: "ephemeral" } } : b));
/** The layout before issue 21: the system prompt, the end of the first message, and the newest turn. */
function layoutBefore(body: Body): Body {
  const plain = unmarked(body);
  const system = Array.isArray(plain.system) ? (markLast(plain.system) as TextBlockParam[]) : plain.system;
  const messages = plain.messages.map((m, i) =>
    typeof m.content !== "string" && (i === 0 || (i === plain.messages.length - 1 && i > 0))
      ? ({ ...m, content: markLast(m.content) } as (typeof plain.messages)[number])
      : m,
  );
  return { ...plain, system, messages };
}

type Variant = { name: string; config: string; view?: (b: Body) => Body };
const variants: Variant[] = [
  { name: "as built", config: "" },
  { name: "as built, no warm-up", config: "cache:\n  warm: false\n" },
  { name: "layout before #21", config: "cache:\n  warm: false\n", view: layoutBefore },
  { name: "caching off", config: "cache:\n  warm: false\n", view: unmarked },
];

type Totals = { uncached: number; write: number; read: number; usd: number; calls: number };
const zero = (): Totals => ({ uncached: 0, write: 0, read: 0, usd: 0, calls: 0 });
const add = (t: Totals, l: TraceLine) => {
  t.uncached += l.usage?.inputTokens ?? 0;
  t.write += l.usage?.cacheWriteTokens ?? 0;
  t.read += l.usage?.cacheReadTokens ?? 0;
  t.usd += l.costUsd;
  t.calls += 1;
};
const input = (t: Totals) => t.uncached + t.write + t.read;

/** Tokens of a coder's first request up to its first breakpoint in the first message: the run block's end. */
function sharedTokens(request: Body): number {
  const first = request.messages[0]?.content;
  if (!Array.isArray(first)) return 0;
  const end = first.findIndex((b) => "cache_control" in b && b.cache_control);
  const before = (request.tools?.length ?? 0) + (Array.isArray(request.system) ? request.system.length : 1);
  return blocksOf(request)
    .slice(0, before + end + 1)
    .reduce((s, b) => s + b.tokens, 0);
}

type Result = {
  name: string;
  all: Totals;
  coders: Totals;
  byNode: Map<string, Totals>;
  /** Per coder, in the order their first requests were made: the run block's tokens, and what was read. */
  firstTurns: { node: string; shared: number; read: number }[];
  seconds: number;
};
const results: Result[] = [];
const runsDir = await mkdtemp(join(tmpdir(), "swarm-bench-cost-"));
for (const v of variants) {
  const fake = await startFakeAnthropic({
    model: unitsModel(CALL_MS),
    ...(v.view ? { cacheView: v.view } : {}),
  });
  const repo = makeUnitsRepo(v.config);
  const started = performance.now();
  const run = await runLocally({
    repo,
    spec: await writeSpec(),
    env: { ANTHROPIC_API_KEY: fake.apiKey, ANTHROPIC_BASE_URL: fake.url, PATH: process.env.PATH ?? "" },
    runsDir,
  });
  const seconds = (performance.now() - started) / 1000;
  await fake.stop();
  if (fake.scriptProblems.length > 0) throw new Error(`${v.name}: ${fake.scriptProblems.join("; ")}`);
  if (run.status !== "green") throw new Error(`${v.name}: ${run.status}: ${run.headline}`);
  const lines = readFileSync(join(run.runDir, "trace.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine)
    .filter((l) => l.usage);
  const result: Result = {
    name: v.name,
    all: zero(),
    coders: zero(),
    byNode: new Map(),
    firstTurns: [],
    seconds,
  };
  for (const l of lines) {
    add(result.all, l);
    if (l.role !== "coder") continue;
    add(result.coders, l);
    const key = l.node ?? "(warm-up)";
    const t = result.byNode.get(key) ?? zero();
    add(t, l);
    result.byNode.set(key, t);
    if (l.node && l.turn === 0)
      result.firstTurns.push({
        node: l.node,
        shared: sharedTokens(l.request as Body),
        read: l.usage?.cacheReadTokens ?? 0,
      });
  }
  results.push(result);
  rmSync(join(repo, ".."), { recursive: true, force: true });
}
rmSync(runsDir, { recursive: true, force: true });

async function writeSpec(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "swarm-bench-spec-"));
  const path = join(dir, "units.spec.md");
  writeFileSync(path, UNITS_SPEC);
  return path;
}

const off = results.find((r) => r.name === "caching off") as Result;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const k = (x: number) => `${(x / 1000).toFixed(1)}K`;
console.log(`swarm run on the units library: 6 nodes, 3 at once at the widest, ${CALL_MS} ms a model call`);
console.log("");
console.log(
  "variant                 input   uncached  writes    reads   read share  cost $   vs off  wall s",
);
for (const r of results) {
  const t = r.all;
  console.log(
    `${r.name.padEnd(22)} ${k(input(t)).padStart(7)} ${k(t.uncached).padStart(9)} ${k(t.write).padStart(8)} ${k(t.read).padStart(8)} ${pct(t.read / input(t)).padStart(11)} ${t.usd.toFixed(4).padStart(8)} ${(t.usd / off.all.usd).toFixed(2).padStart(7)} ${r.seconds.toFixed(1).padStart(7)}`,
  );
}
for (const r of results) {
  console.log("");
  console.log(
    `${r.name}, per node (coder calls): uncached / writes / reads, and the run block read on its first turn`,
  );
  for (const [node, t] of r.byNode) {
    const first = r.firstTurns.find((f) => f.node === node);
    console.log(
      `  ${node.padEnd(12)} ${String(t.calls).padStart(3)} calls ${k(t.uncached).padStart(7)} ${k(t.write).padStart(7)} ${k(t.read).padStart(7)}   $${t.usd.toFixed(4)}${first ? `   run block ${first.read >= first.shared ? "read whole" : `read ${k(first.read)} of ${k(first.shared)}`}` : ""}`,
    );
  }
}
const built = results[0] as Result;
const afterFirst = built.firstTurns.slice(1);
const json = {
  bench: "cost",
  call_ms: CALL_MS,
  ...Object.fromEntries(
    results.map((r) => [
      r.name.replace(/[^a-z0-9]+/gi, "_").replace(/_$/, ""),
      {
        input_tokens: input(r.all),
        uncached: r.all.uncached,
        cache_write: r.all.write,
        cache_read: r.all.read,
        read_share: Number((r.all.read / input(r.all)).toFixed(4)),
        usd: Number(r.all.usd.toFixed(5)),
        vs_off: Number((r.all.usd / off.all.usd).toFixed(3)),
        coders_after_first_read_run_block: r.firstTurns.slice(1).filter((f) => f.read >= f.shared).length,
        coders: r.firstTurns.length,
        seconds: Number(r.seconds.toFixed(1)),
      },
    ]),
  ),
  targets: {
    read_share_at_least_85: built.all.read / input(built.all) >= 0.85,
    every_coder_after_first_reads_run_block:
      afterFirst.length > 0 && afterFirst.every((f) => f.read >= f.shared),
    cost_at_most_035_of_off: built.all.usd / off.all.usd <= 0.35,
  },
};
console.log("");
console.log(JSON.stringify(json));
