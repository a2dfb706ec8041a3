import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { costOf } from "../../src/domain/budget/cost-of.js";
import { NO_USAGE } from "../../src/domain/budget/usage.js";
import { buildPrompt } from "../../src/model/prompt/build-prompt.js";
import { defineTool, runAgent } from "../../src/model/run-agent.js";
import { readTrace } from "../../src/model/trace/file-trace-sink.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { modelClientFor } from "../support/model-rig.js";

// A check that runs longer than the cache's five minutes: the next turn finds the prefix gone, unless the
// repository asked for the hour (`cache.ttl: 1h`). The fake's cache runs on a clock the check moves.
let now = Date.parse("2026-12-02T12:00:00Z");
let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ now: () => now });
});
afterAll(() => fake.stop());

const slowChecks = defineTool({
  name: "run_checks",
  description: "Run the checks.",
  input: z.object({}),
  run: async () => {
    now += 7 * 60_000; // the repository's checks took seven minutes
    return "all 212 tests passed";
  },
});

async function run(ttl: "5m" | "1h", spec: string) {
  fake.setModel(inOrder(reply.tool("run_checks", {}), reply.text("done")));
  const { client, config, tracePath } = modelClientFor(fake, { config: { cache: { ttl } } });
  const before = fake.requests.length;
  // Long enough for the model's minimum cacheable prefix (512 tokens), as a real coder's system prompt is.
  const system = `You code. ${"Explore the repository, make the change, run the checks, and finish. ".repeat(40)}`;
  const prompt = buildPrompt({ system, context: [`<spec>${spec}</spec>`], task: "Add it." });
  await runAgent(client, {
    caller: { role: "coder", nodeId: "add" },
    prompt,
    tools: [slowChecks],
    limits: { maxTurns: 5, maxOutputTokensPerTurn: 1000 },
  });
  const lines = await readTrace(tracePath);
  return { lines, requests: fake.requests.slice(before).map((r) => r.body), config };
}

it("after a seven-minute check the five-minute cache is gone; the hour's keeps the prefix, priced at its rate", async () => {
  const short = await run("5m", "Add two numbers.");
  const [first, second] = short.lines.map((l) => l.usage);
  expect(first?.cacheWriteTokens).toBeGreaterThan(0);
  // Gone: the second turn writes the whole prefix again, reading nothing.
  expect(second?.cacheReadTokens).toBe(0);
  expect(second?.cacheWriteTokens).toBeGreaterThanOrEqual(first?.cacheWriteTokens ?? 0);

  const long = await run("1h", "Add three numbers.");
  const [write, read] = long.lines.map((l) => l.usage);
  // Every breakpoint asked for the hour...
  for (const body of long.requests)
    expect(
      JSON.stringify(body)
        .match(/"cache_control":\{[^}]*\}/g)
        ?.every((c) => c.includes('"ttl":"1h"')),
    ).toBe(true);
  // ... so after the same seven minutes the second turn reads what the first wrote.
  expect(read?.cacheReadTokens).toBe((write?.cacheReadTokens ?? 0) + (write?.cacheWriteTokens ?? 0));
  // The hour's writes are billed at 2× the input price (Sonnet 5.5: $4 a million, not $2.50).
  expect(write?.cacheWrite1hTokens).toBe(write?.cacheWriteTokens);
  const written = write?.cacheWriteTokens ?? 0;
  const asFiveMinutes = costOf(
    "claude-sonnet-5-5",
    { ...NO_USAGE, ...write, cacheWrite1hTokens: 0 },
    long.config.prices,
  );
  expect(Number(long.lines[0]?.costUsd ?? 0) - asFiveMinutes).toBeCloseTo((written * (4 - 2.5)) / 1e6, 12);
});
