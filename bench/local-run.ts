// npm run bench:local — `swarm run` on the demo (examples/todo-app), end to end in one process: plan, three
// nodes, merge, the acceptance check in the sandbox, a review round, the second merge. The fake Anthropic
// API answers with the demo's scripted model after CALL_MS of latency per call, as a real model would take
// time. Side by side in one run: the nodes one at a time (maxParallelNodes 1) against in parallel (4), and
// the recorded trace replayed (no model latency at all), so the share of swarm's own work shows.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLocally } from "../src/entry/run-locally.js";
import { startFakeAnthropic } from "../test/support/fake-anthropic/server.js";
import { todoAppModel } from "../test/support/todo-app-model.js";

const CALL_MS = Number(process.env.CALL_MS ?? 400);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const fake = await startFakeAnthropic({
  model: (req) => ({ ...todoAppModel(req), latencyMs: CALL_MS }),
});

/** The demo with `maxParallelNodes` set, as its own folder. */
function demoWith(parallel: number): string {
  const dir = mkdtempSync(join(tmpdir(), "swarm-bench-local-"));
  cpSync("examples/todo-app", join(dir, "todo-app"), { recursive: true });
  const config = join(dir, "todo-app/.github/swarm.yml");
  writeFileSync(config, `${readFileSync(config, "utf8")}  maxParallelNodes: ${parallel}\n`);
  return join(dir, "todo-app");
}

type Variant = { name: string; repo: string; env: Record<string, string>; replay?: string };
const variants: Variant[] = [
  {
    name: "live, 1 node at a time",
    repo: demoWith(1),
    env: { ANTHROPIC_API_KEY: fake.apiKey, ANTHROPIC_BASE_URL: fake.url },
  },
  {
    name: "live, 4 in parallel",
    repo: demoWith(4),
    env: { ANTHROPIC_API_KEY: fake.apiKey, ANTHROPIC_BASE_URL: fake.url },
  },
  {
    name: "replayed trace, 4 in parallel",
    repo: "examples/todo-app",
    env: {},
    replay: "examples/todo-app.trace.jsonl",
  },
];
const seconds = new Map<string, number[]>(variants.map((v) => [v.name, []]));
let spend = "";
const runsDir = mkdtempSync(join(tmpdir(), "swarm-bench-runs-"));
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants) {
    const started = performance.now();
    const result = await runLocally({
      repo: v.repo,
      spec: "examples/todo-app.spec.md",
      env: v.env,
      runsDir,
      ...(v.replay ? { replay: v.replay } : {}),
    });
    if (result.status !== "green") throw new Error(`${v.name}: ${result.status}: ${result.headline}`);
    seconds.get(v.name)?.push((performance.now() - started) / 1000);
    if (!spend) spend = readFileSync(result.report.markdown, "utf8").split("\n")[3] ?? "";
  }
}
await fake.stop();
rmSync(runsDir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const sequential = median(seconds.get(variants[0]?.name ?? "") ?? []);
console.log(
  `swarm run on the demo: ${CALL_MS} ms per model call (live), median of ${ROUNDS} rounds, interleaved`,
);
console.log("variant                          wall s   vs 1-at-a-time");
for (const v of variants) {
  const m = median(seconds.get(v.name) ?? []);
  console.log(`${v.name.padEnd(32)} ${m.toFixed(2).padStart(6)}   ${(m / sequential).toFixed(2)}`);
}
console.log(`per run: ${spend.replace(/^- /, "")}`);
console.log(
  JSON.stringify({
    bench: "local",
    call_ms: CALL_MS,
    sequential_s: Number(sequential.toFixed(2)),
    parallel_s: Number(median(seconds.get(variants[1]?.name ?? "") ?? []).toFixed(2)),
    replay_s: Number(median(seconds.get(variants[2]?.name ?? "") ?? []).toFixed(2)),
  }),
);
