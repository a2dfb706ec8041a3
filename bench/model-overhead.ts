// npm run bench:model — the model client's own overhead per call: wall time minus the fake server's time.
// Configurations are interleaved call by call in one run, so machine noise falls on all of them alike.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { RepoConfigSchema } from "../src/domain/config/repo-config.js";
import { createAnthropicTransport } from "../src/model/anthropic-transport.js";
import { createMemoryLedger } from "../src/model/ledger-store.js";
import { createModelClient } from "../src/model/model-client.js";
import { createFileTraceSink } from "../src/model/trace/file-trace-sink.js";
import { reply } from "../test/support/fake-anthropic/script.js";
import { startFakeAnthropic } from "../test/support/fake-anthropic/server.js";

const CALLS = Number(process.env.CALLS ?? 300);
const WARMUP = 20;

const fake = await startFakeAnthropic({
  model: () =>
    reply.text("A short answer of about twenty words, as a coder's turn might end with. ".repeat(4)),
});
const dir = mkdtempSync(join(tmpdir(), "swarm-bench-"));
const config = RepoConfigSchema.parse({ limits: { maxUsdPerRun: 1e9, maxTokensPerRun: 1e12 } });
const request = {
  system: [
    {
      type: "text" as const,
      text: "You are a coder. ".repeat(300),
      cache_control: { type: "ephemeral" as const },
    },
  ],
  max_tokens: 1000,
  messages: [{ role: "user" as const, content: "Implement the node." }],
};

const clientFor = (stream: boolean, trace: boolean) =>
  createModelClient({
    runId: "bench",
    transport: createAnthropicTransport({ apiKey: fake.apiKey, baseURL: fake.url, stream }),
    config,
    ledger: createMemoryLedger(config.prices),
    ...(trace ? { trace: createFileTraceSink(join(dir, `trace-${stream}.jsonl`), [fake.apiKey]) } : {}),
  });
const sdk = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 });

type Config = { name: string; call: () => Promise<unknown> };
const configs: Config[] = [
  {
    name: "sdk alone (baseline)",
    call: () => sdk.messages.create({ ...request, model: "claude-sonnet-5-5" }),
  },
  {
    name: "client, JSON",
    call: (() => {
      const c = clientFor(false, false);
      return () => c.call({ role: "coder", nodeId: "n" }, request);
    })(),
  },
  {
    name: "client, streaming",
    call: (() => {
      const c = clientFor(true, false);
      return () => c.call({ role: "coder", nodeId: "n" }, request);
    })(),
  },
  {
    name: "client, streaming + trace",
    call: (() => {
      const c = clientFor(true, true);
      return () => c.call({ role: "coder", nodeId: "n" }, request);
    })(),
  },
];

const overhead = new Map<string, number[]>(configs.map((c) => [c.name, []]));
const wall = new Map<string, number[]>(configs.map((c) => [c.name, []]));
for (let round = 0; round < WARMUP + CALLS; round++) {
  for (const c of configs) {
    const before = fake.requests.length;
    const started = performance.now();
    await c.call();
    const elapsed = performance.now() - started;
    const server = fake.requests.slice(before).reduce((sum, r) => sum + r.serverMs, 0);
    if (round < WARMUP) continue;
    overhead.get(c.name)?.push(elapsed - server);
    wall.get(c.name)?.push(elapsed);
  }
}
await fake.stop();
rmSync(dir, { recursive: true, force: true });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const base = pct(overhead.get(configs[0]?.name ?? "") ?? [], 50);
console.log(
  `model client overhead per call: ${CALLS} calls per configuration, interleaved, after ${WARMUP} warm-up rounds`,
);
console.log("configuration                 wall p50   overhead p50   overhead p95   vs sdk p50");
const figures: Record<string, number | string> = { bench: "model", calls: CALLS };
for (const c of configs) {
  const o = overhead.get(c.name) ?? [];
  const w = wall.get(c.name) ?? [];
  const key = c.name
    .toLowerCase()
    .replace(/[^a-z]+/g, "_")
    .replace(/^_|_$/g, "");

  figures[`${key}_overhead_ms_p50`] = Number(pct(o, 50).toFixed(3));
  figures[`${key}_overhead_ms_p95`] = Number(pct(o, 95).toFixed(3));
  console.log(
    `${c.name.padEnd(28)}  ${pct(w, 50).toFixed(2).padStart(6)} ms  ${pct(o, 50).toFixed(2).padStart(10)} ms  ${pct(o, 95).toFixed(2).padStart(10)} ms  ${(pct(o, 50) / base).toFixed(2).padStart(8)}×`,
  );
}
console.log(JSON.stringify(figures));
