// npm run demo:record: runs the demo (examples/todo-app with examples/todo-app.spec.md) against the fake
// Anthropic API answering with the scripted model in test/support/todo-app-model.ts, and keeps the run's
// trace as examples/todo-app.trace.jsonl, which `swarm run` replays when no ANTHROPIC_API_KEY is set. Each
// line is labelled as the scripted model's. Requests are left out to keep the file small: a replay matches
// each call by role, node and turn and checks its digest; the text of each agent's task is kept once, on the
// first call that has it, so a replay that differs can show where.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProgressBoard } from "../src/entry/progress-board.js";
import { runLocally } from "../src/entry/run-locally.js";
import { digestRequest } from "../src/model/trace/request-digest.js";
import type { TraceLine } from "../src/model/trace/trace-line.js";
import { startFakeAnthropic } from "../test/support/fake-anthropic/server.js";
import { todoAppModel } from "../test/support/todo-app-model.js";

const TRACE = "examples/todo-app.trace.jsonl";
const fake = await startFakeAnthropic({ model: todoAppModel });
const runsDir = await mkdtemp(join(tmpdir(), "swarm-record-"));
try {
  const board = createProgressBoard(process.stdout);
  const result = await runLocally({
    repo: "examples/todo-app",
    spec: "examples/todo-app.spec.md",
    env: { ANTHROPIC_API_KEY: fake.apiKey, ANTHROPIC_BASE_URL: fake.url },
    runsDir,
    onEvent: (e) => board.handle(e),
  });
  board.stop();
  if (result.status !== "green")
    throw new Error(`the scripted demo ended ${result.status}: ${result.headline}`);
  const lines = (await readFile(join(result.runDir, "trace.jsonl"), "utf8")).split("\n").filter(Boolean);
  const tasks = new Set<string>();
  const labelled = lines.map((line) => {
    const { request, ts: _ts, latencyMs: _latency, ...kept } = JSON.parse(line) as TraceLine;
    const { digest, task } = digestRequest(request);
    const first = !tasks.has(digest.task);
    tasks.add(digest.task);
    return JSON.stringify({
      recordedWith: "swarm's scripted model (test/support/todo-app-model.ts), not Claude",
      ...kept,
      ...(first ? { task } : {}),
    });
  });
  await writeFile(TRACE, `${labelled.join("\n")}\n`);
  process.stdout.write(`${TRACE}: ${labelled.length} calls recorded\n`);
} finally {
  await fake.stop();
  await rm(runsDir, { recursive: true, force: true });
}
