import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnthropicTransport } from "../../src/model/anthropic-transport.js";
import { ModelCallError } from "../../src/model/model-call-error.js";
import type { CallMeta } from "../../src/model/types.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";

const meta: CallMeta = { runId: "run-1", role: "coder", nodeId: "api", turn: 0 };
const params = {
  model: "claude-sonnet-5-5",
  max_tokens: 100,
  messages: [{ role: "user" as const, content: "hi" }],
};
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());

function transport(
  extra: Parameters<typeof createAnthropicTransport>[0] extends infer O ? Partial<O> : never = {},
) {
  return createAnthropicTransport({
    apiKey: fake.apiKey,
    baseURL: fake.url,
    backoff: { initialMs: 5, maxMs: 20 },
    ...extra,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ModelCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelCallError);
  return error as ModelCallError;
}

describe("anthropic transport", () => {
  it.each([true, false])("returns the message with its rate-limit headers (stream: %s)", async (stream) => {
    fake.setModel(inOrder(reply.text("hello there")));
    const result = await transport({ stream }).send(params, meta);
    // The current models start every answer with a thinking block (empty by default); the text follows.
    expect(result.message.content).toEqual([
      { type: "thinking", thinking: "", signature: expect.any(String) },
      { type: "text", text: "hello there" },
    ]);
    expect(result.attempts).toBe(1);
    expect(result.rateLimit).toMatchObject({ requestsRemaining: 3999, inputTokensLimit: 2_000_000 });
  });

  it("retries 529 twice, then succeeds on the third attempt", async () => {
    fake.setModel(inOrder({ fault: "overloaded" }, { fault: "overloaded" }, reply.text("finally")));
    const retries: string[] = [];
    const result = await transport({ onRetry: (e) => retries.push(e.failure) }).send(params, meta);
    expect(result.attempts).toBe(3);
    expect(retries).toEqual(["overloaded", "overloaded"]);
    expect(result.message.content.find((b) => b.type === "text")).toMatchObject({ text: "finally" });
  });

  it("waits at least the retry-after of a 429", async () => {
    fake.setModel(inOrder({ fault: "rate-limit", retryAfterS: 1 }, reply.text("ok")));
    const started = performance.now();
    const result = await transport().send(params, meta);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.attempts).toBe(2);
  });

  it("never retries a 429 that says the spend limit is reached", async () => {
    fake.setModel(inOrder({ fault: "spend-limit" }, reply.text("should not be asked")));
    const error = await failureOf(transport().send(params, meta));
    expect(error.failure).toBe("spend-limit");
    expect(error.attempts).toBe(1);
    expect(error.decision).toBe("tell-user");
    expect(error.message).toContain("Raise the spend limit in the Claude Console");
  });

  it.each([
    [400, "invalid_request_error", "bad-request", "fail-node"],
    [401, "authentication_error", "authentication", "tell-user"],
    [403, "permission_error", "permission", "tell-user"],
    [404, "not_found_error", "not-found", "tell-user"],
  ] as const)("never retries %i", async (status, type, failure, decision) => {
    fake.setModel(
      inOrder({ fault: "status", status, type, message: "no" }, reply.text("should not be asked")),
    );
    const error = await failureOf(transport().send(params, meta));
    expect(error).toMatchObject({ failure, decision, attempts: 1, status });
  });

  it("turns a hanging response into a timeout error after its attempts", async () => {
    fake.setModel(() => ({ fault: "hang" }));
    const started = performance.now();
    const error = await failureOf(transport({ timeoutMs: 200, maxAttempts: 2 }).send(params, meta));
    expect(error).toMatchObject({ failure: "timeout", attempts: 2, decision: "retry" });
    expect(error.message).toContain("did not answer within 200 ms, 2 attempts made");
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
  });

  it.each([
    ["a reset connection", { fault: "reset" } as const, "connection"],
    ["a 500", { fault: "server-error" } as const, "server-error"],
    ["a malformed body", { fault: "malformed" } as const, "malformed-response"],
  ])("retries %s", async (_name, fault, failure) => {
    fake.setModel(inOrder(fault, reply.text("recovered")));
    const retries: string[] = [];
    const result = await transport({ stream: false, onRetry: (e) => retries.push(e.failure) }).send(
      params,
      meta,
    );
    expect(result.attempts).toBe(2);
    expect(retries).toEqual([failure]);
  });

  it.each([
    ["a stream cut mid-answer", { fault: "cut" } as const, true],
    ["a stream that ends before any event", { fault: "empty" } as const, true],
    ["an answer cut mid-body", { fault: "cut" } as const, false],
  ])("retries %s like a 529", async (_name, fault, stream) => {
    fake.setModel(inOrder(fault, fault, reply.text("recovered")));
    const retries: string[] = [];
    const result = await transport({ stream, onRetry: (e) => retries.push(e.failure) }).send(params, meta);
    expect(result.attempts).toBe(3);
    expect(retries).toEqual(["interrupted", "interrupted"]);
    expect(result.message.content).toContainEqual(
      expect.objectContaining({ type: "text", text: "recovered" }),
    );
  });

  it("gives up after maxAttempts, and promises only what swarm does: `/swarm retry`", async () => {
    fake.setModel(() => ({ fault: "overloaded" }));
    const error = await failureOf(transport({ maxAttempts: 3 }).send(params, meta));
    expect(error).toMatchObject({ failure: "overloaded", attempts: 3, decision: "retry" });
    expect(error.message).toContain("still overloaded after 3 attempts");
    expect(`${error.problem} ${error.fix}`).not.toContain("retries the job later");
    expect(error.fix).toContain("/swarm retry");
  });

  it("authenticates with a Bearer token, and the fake accepts x-api-key too and refuses a wrong key", async () => {
    fake.setModel(() => reply.text("ok"));
    await transport().send(params, meta);
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    const raw = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": fake.apiKey, "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    expect(raw.status).toBe(200);
    const wrong = createAnthropicTransport({ apiKey: "sk-ant-wrong", baseURL: fake.url });
    expect((await failureOf(wrong.send(params, meta))).failure).toBe("authentication");
  });
});
