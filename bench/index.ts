// npm run bench:index — indexing real TypeScript that ships in node_modules (the sources of
// @anthropic-ai/sdk, zod and ajv): time, lines per second, peak memory, and the time to update after one
// file changes. Ends with a JSON line of figures.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIndex, listSourceFiles } from "../src/context/code-index.js";
import { buildFileGraph } from "../src/context/file-graph.js";
import { retrieve } from "../src/context/retrieve.js";

const SOURCES = ["node_modules/@anthropic-ai/sdk/src", "node_modules/zod/src", "node_modules/ajv/lib"];
// A copy outside node_modules, so the walk indexes it as a repository would be.
const root = mkdtempSync(join(tmpdir(), "swarm-bench-index-"));
for (const [i, dir] of SOURCES.entries()) cpSync(dir, join(root, `pkg${i}`), { recursive: true });
const paths = await listSourceFiles(root);
const lines = paths.reduce((n, p) => n + readFileSync(join(root, p), "utf8").split("\n").length, 0);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 5);
const baseRss = process.memoryUsage().rss;

// A warm-up index of a small folder loads the grammars, so the timing below is the indexing itself.
await buildIndex(join(root, "pkg2"));
const started = performance.now();
const index = await buildIndex(root, { paths });
const indexMs = performance.now() - started;
const graphStarted = performance.now();
buildFileGraph(index);
const graphMs = performance.now() - graphStarted;

// One file changes: the update parses it alone; the next query rebuilds the graph.
const changed =
  paths.find((p) => p.endsWith(".ts") && readFileSync(join(root, p), "utf8").length > 4000) ?? paths[0] ?? "";
writeFileSync(
  join(root, changed),
  `${readFileSync(join(root, changed), "utf8")}\nexport function addedByBench(): number {\n  return 1;\n}\n`,
);
const updates: number[] = [];
const withQuery: number[] = [];
for (let i = 0; i < 5; i++) {
  writeFileSync(join(root, changed), `${readFileSync(join(root, changed), "utf8")}\n// edit ${i}\n`);
  const t0 = performance.now();
  const { parsed } = await index.update([changed]);
  updates.push(performance.now() - t0);
  if (parsed !== 1) throw new Error(`an update parsed ${parsed} files, not 1`);
  const t1 = performance.now();
  await retrieve(index, { text: "stream message events", files: [] }, 4000);
  withQuery.push(performance.now() - t1);
}
clearInterval(sampler);
rmSync(root, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const linesPerSecond = lines / (indexMs / 1000);
console.log(
  `indexed ${index.files.size} files, ${lines.toLocaleString("en-US")} lines (sources of ${SOURCES.join(", ")})`,
);
console.log(
  `  index:                  ${indexMs.toFixed(0)} ms  (${Math.round(linesPerSecond).toLocaleString("en-US")} lines/s; target ≥ 50,000)`,
);
console.log(`  file graph:             ${graphMs.toFixed(0)} ms`);
console.log(
  `  peak memory (RSS):      ${(peakRss / 2 ** 20).toFixed(0)} MiB (${((peakRss - baseRss) / 2 ** 20).toFixed(0)} MiB over the start)`,
);
console.log(`  update, one file:       ${median(updates).toFixed(1)} ms median of 5 (target < 200)`);
console.log(
  `  next query after it:    ${median(withQuery).toFixed(0)} ms median (graph rebuilt, ranked, rendered at 4k tokens)`,
);
console.log(
  JSON.stringify({
    bench: "index",
    files: index.files.size,
    lines,
    index_ms: Math.round(indexMs),
    lines_per_second: Math.round(linesPerSecond),
    graph_ms: Math.round(graphMs),
    peak_rss_mib: Math.round(peakRss / 2 ** 20),
    update_ms: Number(median(updates).toFixed(1)),
    query_after_update_ms: Math.round(median(withQuery)),
  }),
);
