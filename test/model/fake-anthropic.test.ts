import Anthropic, { BadRequestError } from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";

// The fake refuses what the real API refuses, so a bug in swarm's requests fails here rather than in production.
let fake: FakeAnthropic;
let sdk: Anthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
  sdk = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 });
});
afterAll(() => fake.stop());

const model = "claude-sonnet-5-5";
const cached = { cache_control: { type: "ephemeral" as const } };

describe("fake Messages API", () => {
  it("counts tokens", async () => {
    const count = await sdk.messages.countTokens({
      model,
      messages: [{ role: "user", content: "x".repeat(400) }],
    });
    expect(count.input_tokens).toBeGreaterThanOrEqual(100);
  });

  it("streams tool use as input_json_delta events the SDK reassembles", async () => {
    fake.setModel(inOrder(reply.tool("edit", { path: "src/a.ts", text: "const a = 1;\n".repeat(20) })));
    const message = await sdk.messages
      .stream({ model, max_tokens: 500, messages: [{ role: "user", content: "go" }] })
      .finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[0]).toMatchObject({ type: "tool_use", name: "edit", input: { path: "src/a.ts" } });
  });

  it.each([
    [
      "roles that do not alternate",
      [
        { role: "user" as const, content: "a" },
        { role: "user" as const, content: "b" },
      ],
      [],
      /roles must alternate/,
    ],
    [
      "more than four cache breakpoints",
      [
        {
          role: "user" as const,
          content: [1, 2, 3, 4, 5].map((n) => ({ type: "text" as const, text: `${n}`, ...cached })),
        },
      ],
      [],
      /maximum of 4 blocks/,
    ],
    [
      "a tool_use without its tool_result",
      [
        { role: "user" as const, content: "go" },
        {
          role: "assistant" as const,
          content: [{ type: "tool_use" as const, id: "toolu_1", name: "t", input: {} }],
        },
        { role: "user" as const, content: "next" },
      ],
      [],
      /tool_use ids were found without tool_result blocks/,
    ],
  ])("refuses %s with a 400", async (_name, messages, _tools, pattern) => {
    const error = await sdk.messages.create({ model, max_tokens: 10, messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toMatch(pattern);
  });
});
