import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { costOf } from "../../src/domain/budget/cost-of.js";
import type { Usage } from "../../src/domain/budget/usage.js";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { BudgetExceededError } from "../../src/domain/errors.js";
import { createAnthropicTransport } from "../../src/model/anthropic-transport.js";
import { createModelClient } from "../../src/model/model-client.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisLedger } from "../../src/queue/redis-ledger.js";
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { requireRedis } from "../support/require-redis.js";

const redis = createRedis();
let fake: FakeAnthropic;
beforeAll(async () => {
  await requireRedis();
  fake = await startFakeAnthropic({ model: () => reply.text("x".repeat(4000)) });
});
afterAll(async () => {
  await redis.quit();
  await fake.stop();
});

describe("Redis ledger", () => {
  const config = RepoConfigSchema.parse({
    models: { coder: "claude-opus-5" },
    limits: { maxUsdPerRun: 0.06 },
  });
  const usage = { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 5000, cacheWriteTokens: 100 };

  it("adds usage by node and model, and reads back what it wrote", async () => {
    const ledger = createRedisLedger(redis, "swarm-test", randomUUID().slice(0, 8), config.prices);
    await ledger.record("claude-opus-5", usage, "api");
    const after = await ledger.record("claude-opus-5", usage, "ui");
    expect(after.tokens).toBe(2 * 6300);
    expect(after.usd).toBeCloseTo(2 * ((1000 * 5 + 200 * 25 + 5000 * 0.5 + 100 * 6.25) / 1e6), 12);
    expect(after.byNode.api?.tokens).toBe(6300);
    expect(after.byModel["claude-opus-5"]).toEqual({
      inputTokens: 2000,
      outputTokens: 400,
      cacheReadTokens: 10000,
      cacheWriteTokens: 200,
    });
  });

  it("keeps the hour's cache writes apart, so the spending by model prices them at their rate", async () => {
    const ledger = createRedisLedger(redis, "swarm-test", randomUUID().slice(0, 8), config.prices);
    await ledger.record("claude-opus-5", { ...usage, cacheWrite1hTokens: 60 }, "api");
    const after = await ledger.record("claude-opus-5", usage, "ui");
    expect(after.byModel["claude-opus-5"]).toEqual({
      inputTokens: 2000,
      outputTokens: 400,
      cacheReadTokens: 10000,
      cacheWriteTokens: 200,
      cacheWrite1hTokens: 60,
    });
    // The same as the run's own total: 60 of the writes at the hour's price, the rest at five minutes'.
    expect(costOf("claude-opus-5", after.byModel["claude-opus-5"] as Usage, config.prices)).toBeCloseTo(
      after.usd,
      12,
    );
  });

  it("holds a run's budget across two workers: the second is refused once their shared spend reaches the limit", async () => {
    const runId = randomUUID().slice(0, 8);
    const client = () =>
      createModelClient({
        runId,
        config,
        transport: createAnthropicTransport({ apiKey: fake.apiKey, baseURL: fake.url }),
        ledger: createRedisLedger(redis, "swarm-test", runId, config.prices),
      });
    const [one, two] = [client(), client()];
    const ask = { max_tokens: 1200, messages: [{ role: "user" as const, content: "go" }] };
    await one.call({ role: "coder", nodeId: "a" }, ask); // about $0.025 each
    await two.call({ role: "coder", nodeId: "b" }, ask);
    await expect(one.call({ role: "coder", nodeId: "a" }, ask)).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(two.call({ role: "coder", nodeId: "b" }, ask)).rejects.toBeInstanceOf(BudgetExceededError);
  });
});
