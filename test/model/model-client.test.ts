import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BudgetExceededError } from "../../src/domain/errors.js";
import { createReplayTransport } from "../../src/model/replay-transport.js";
import { readTrace } from "../../src/model/trace/file-trace-sink.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { modelClientFor } from "../support/model-rig.js";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());

const ask = (text: string, max_tokens = 200) => ({
  max_tokens,
  messages: [{ role: "user" as const, content: text }],
});

describe("model client", () => {
  it("uses the model of the caller's role and prices the call", async () => {
    fake.setModel(inOrder(reply.text("planned")));
    const { client } = modelClientFor(fake, { config: { models: { planner: "claude-haiku-4-5" } } });
    const result = await client.call({ role: "planner" }, ask("plan this"));
    expect(fake.requests.at(-1)?.body.model).toBe("claude-haiku-4-5");
    const u = result.usage;
    expect(result.costUsd).toBeCloseTo((u.inputTokens * 1 + u.outputTokens * 5) / 1e6, 12);
    expect(result.ledger.byNode["(run)"]?.usd).toBeCloseTo(result.costUsd, 12);
  });

  it("prices cache reads and writes at the cache prices", async () => {
    fake.setModel(() => reply.text("ok"));
    const { client } = modelClientFor(fake);
    const request = {
      system: [
        {
          type: "text" as const,
          text: "You are a coder. ".repeat(200),
          cache_control: { type: "ephemeral" as const },
        },
      ],
      ...ask("go"),
    };
    const first = await client.call({ role: "coder", nodeId: "api" }, request);
    const second = await client.call({ role: "coder", nodeId: "api" }, request);
    expect(first.usage.cacheWriteTokens).toBeGreaterThan(800);
    expect(first.usage.cacheReadTokens).toBe(0);
    expect(second.usage).toMatchObject({
      cacheReadTokens: first.usage.cacheWriteTokens,
      cacheWriteTokens: 0,
    });
    // Sonnet 5.5: $2.50 per million cache writes, $0.10 per million cache reads.
    const { inputTokens, outputTokens, cacheReadTokens } = second.usage;
    expect(second.costUsd).toBeCloseTo(
      (inputTokens * 2 + outputTokens * 10 + cacheReadTokens * 0.1) / 1e6,
      12,
    );
    expect(first.costUsd - second.costUsd).toBeCloseTo(
      (first.usage.cacheWriteTokens * (2.5 - 0.1)) / 1e6,
      12,
    );
  });

  it("stops a run before the call that would pass its USD limit, without calling the API", async () => {
    fake.setModel(() => reply.text("x".repeat(4000))); // about 1,000 output tokens a call
    const { client, tracePath } = modelClientFor(fake, {
      config: { models: { coder: "claude-opus-5" }, limits: { maxUsdPerRun: 0.06 } },
    });
    const calls: number[] = [];
    const error = await (async () => {
      for (;;) {
        const before = fake.requests.length;
        try {
          const r = await client.call({ role: "coder", nodeId: "api" }, ask("write", 1200));
          calls.push(r.ledger.usd);
        } catch (e) {
          expect(fake.requests.length).toBe(before); // the refused call never reached the API
          return e;
        }
      }
    })();
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).problem).toMatch(
      /^The run has used \$0\.0\d and its next model call would pass limits\.maxUsdPerRun \(\$0\.06\)\.$/,
    );
    // Each call can cost up to 1,200 output tokens at $25 per million ($0.03): two fit, the third is refused.
    expect(calls).toHaveLength(2);
    expect(calls.at(-1)).toBeLessThanOrEqual(0.06);
    const last = (await readTrace(tracePath)).at(-1);
    expect(last?.error?.code).toBe("budget-exceeded");
  });

  it("writes one trace line per call, with run, node, role, usage, cost and attempts, and no secrets", async () => {
    fake.setModel(
      inOrder({ fault: "overloaded" }, reply.text("token ghp_abcdefghijklmnopqrstuvwxyz0123 seen")),
    );
    const { client, tracePath } = modelClientFor(fake, {
      secrets: [fake.apiKey, "hunter2-database-password"],
    });
    await client.call(
      { role: "coder", nodeId: "ui" },
      ask(`connect with hunter2-database-password and ${fake.apiKey}`),
    );
    const text = readFileSync(tracePath, "utf8");
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(text).not.toContain("hunter2-database-password");
    expect(text).not.toContain(fake.apiKey);
    expect(text).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123");
    const [line] = await readTrace(tracePath);
    expect(line).toMatchObject({
      run: "run-1",
      node: "ui",
      role: "coder",
      model: "claude-sonnet-5-5",
      turn: 0,
      attempts: 2,
    });
    expect(line?.request?.messages[0]?.content).toBe("connect with [REDACTED] and [REDACTED]");
    expect(line?.costUsd).toBeGreaterThan(0);
    expect(line?.latencyMs).toBeGreaterThan(0);
    expect(line?.stopReason).toBe("end_turn");
    expect(line?.rateLimit.requestsRemaining).toBe(3999);
  });

  it("records a failed call in the trace with its decision", async () => {
    fake.setModel(inOrder({ fault: "spend-limit" }));
    const { client, tracePath } = modelClientFor(fake);
    await expect(client.call({ role: "reviewer" }, ask("review"))).rejects.toThrow(/spend limit/);
    const [line] = await readTrace(tracePath);
    expect(line?.error).toMatchObject({
      code: "model-spend-limit",
      failure: "spend-limit",
      decision: "tell-user",
    });
    expect(line?.response).toBeNull();
  });

  it("replays a recorded multi-call session with identical outputs and no request to the server", async () => {
    let n = 0;
    fake.setModel(() => reply.text(`answer ${++n}`));
    const recorded = modelClientFor(fake);
    const script = [
      [{ role: "planner" }, "plan"],
      [{ role: "coder", nodeId: "api" }, "code api"],
      [{ role: "coder", nodeId: "ui" }, "code ui"],
      [{ role: "coder", nodeId: "api" }, "code api again"],
      [{ role: "reviewer" }, "review"],
    ] as const;
    const outputs = [];
    for (const [caller, text] of script)
      outputs.push((await recorded.client.call(caller, ask(text))).message);

    const before = fake.requests.length;
    const transport = createReplayTransport(await readTrace(recorded.tracePath));
    const { client } = modelClientFor(fake, { transport });
    const replayed = [];
    for (const [caller, text] of script) replayed.push((await client.call(caller, ask(text))).message);
    expect(replayed).toEqual(outputs);
    expect(fake.requests.length).toBe(before);
    expect(transport.mismatches).toBe(0);
    expect(transport.miss).toBeUndefined();
  });

  it("says what is missing when a replay asks for a call the trace does not have", async () => {
    fake.setModel(() => reply.text("only one"));
    const recorded = modelClientFor(fake);
    await recorded.client.call({ role: "planner" }, ask("plan"));
    const { client } = modelClientFor(fake, {
      transport: createReplayTransport(await readTrace(recorded.tracePath)),
    });
    await client.call({ role: "planner" }, ask("plan"));
    await expect(client.call({ role: "planner" }, ask("plan"))).rejects.toThrow(
      "The trace has no call for the planner, turn 1: it ends before this run does (it holds 1 call)",
    );
    // The run ends on the first miss: a later call fails with it, even one the trace could answer.
    await expect(client.call({ role: "planner" }, ask("plan"))).rejects.toThrow("the planner, turn 1");
  });

  it("names the coder of a node the trace has no call for", async () => {
    fake.setModel(() => reply.text("only one"));
    const recorded = modelClientFor(fake);
    await recorded.client.call({ role: "planner" }, ask("plan"));
    const { client } = modelClientFor(fake, {
      transport: createReplayTransport(await readTrace(recorded.tracePath)),
    });
    await expect(client.call({ role: "coder", nodeId: "db" }, ask("x"))).rejects.toThrow(
      "The trace has no call for the coder of node `db`, turn 0",
    );
  });

  it("fails a replayed call whose request changed since the recording, saying what changed", async () => {
    fake.setModel(() => reply.text("ok"));
    const recorded = modelClientFor(fake);
    await recorded.client.call({ role: "planner" }, ask("plan version 1"));
    const lines = await readTrace(recorded.tracePath);
    const { client } = modelClientFor(fake, { transport: createReplayTransport(lines) });
    const error = await client.call({ role: "planner" }, ask("plan version 2")).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "model-replay-miss",
      problem: expect.stringContaining("the request for the planner, turn 0 differs from the recorded one"),
      details: [
        'the task (the agent\'s first message) differs: recorded "plan version 1", here "plan version 2"',
      ],
    });
  });
});
