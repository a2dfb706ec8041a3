// npm run bench:sandbox — start-up overhead of a sandboxed `true` against running it directly, interleaved.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSandboxed } from "../src/sandbox/run-sandboxed.js";

const ROUNDS = Number(process.env.ROUNDS ?? 60);
const cwd = mkdtempSync(join(tmpdir(), "swarm-bench-sandbox-"));
const direct = () =>
  new Promise<void>((resolve, reject) => execFile("true", (e) => (e ? reject(e) : resolve())));
const configs: [string, () => Promise<unknown>][] = [
  ["direct (execFile true)", direct],
  [
    "runSandboxed, mode none",
    () => runSandboxed({ cwd, command: ["true"], mode: "none" }, { warn: () => {} }),
  ],
  ["runSandboxed, bubblewrap", () => runSandboxed({ cwd, command: ["true"] })],
];
const times = new Map<string, number[]>(configs.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS + 5; round++) {
  for (const [name, run] of configs) {
    const started = performance.now();
    await run();
    if (round >= 5) times.get(name)?.push(performance.now() - started);
  }
}
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const base = pct(times.get(configs[0]?.[0] ?? "") ?? [], 50);
console.log(`sandbox start-up: ${ROUNDS} runs of \`true\` per configuration, interleaved`);
console.log("configuration                    p50 ms   p95 ms   overhead p50 ms");
for (const [name] of configs) {
  const t = times.get(name) ?? [];
  console.log(
    `${name.padEnd(30)} ${pct(t, 50).toFixed(1).padStart(8)} ${pct(t, 95).toFixed(1).padStart(8)} ${(pct(t, 50) - base).toFixed(1).padStart(17)}`,
  );
}
const sandboxed = times.get("runSandboxed, bubblewrap") ?? [];
console.log(
  JSON.stringify({
    bench: "sandbox",
    rounds: ROUNDS,
    direct_ms_p50: Number(base.toFixed(2)),
    sandboxed_ms_p50: Number(pct(sandboxed, 50).toFixed(2)),
    sandboxed_ms_p95: Number(pct(sandboxed, 95).toFixed(2)),
    overhead_ms_p50: Number((pct(sandboxed, 50) - base).toFixed(2)),
    target_ms: 100,
  }),
);
