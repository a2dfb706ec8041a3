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
const editTool = {
  name: "edit",
  description: "Edit a file.",
  input_schema: {
    type: "object" as const,
    properties: { path: { type: "string" }, text: { type: "string" } },
  },
};
/** The API's own message, as its error body has it. */
const apiMessage = (error: unknown) =>
  (error as { error?: { error?: { message?: string } } }).error?.error?.message ?? String(error);
const bash = { type: "bash_20250124" as const, name: "bash" as const };
const editor = { type: "text_editor_20250728" as const, name: "str_replace_based_edit_tool" as const };
const ask = (extra: Record<string, unknown>) =>
  sdk.messages
    .create({ model, max_tokens: 100, messages: [{ role: "user", content: "go" }], ...extra } as never)
    .catch((e: unknown) => e);

describe("fake Messages API", () => {
  it("counts tokens", async () => {
    const count = await sdk.messages.countTokens({
      model,
      messages: [{ role: "user", content: "x".repeat(400) }],
    });
    expect(count.input_tokens).toBeGreaterThanOrEqual(100);
  });

  it("streams tool use as input_json_delta events the SDK reassembles, after a signed thinking block", async () => {
    fake.setModel(inOrder(reply.tool("edit", { path: "src/a.ts", text: "const a = 1;\n".repeat(20) })));
    const message = await sdk.messages
      .stream({ model, max_tokens: 500, tools: [editTool], messages: [{ role: "user", content: "go" }] })
      .finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content[0]).toMatchObject({
      type: "thinking",
      thinking: "",
      signature: expect.any(String),
    });
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "edit", input: { path: "src/a.ts" } });
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

  it("takes Anthropic's bash and text-editor tools as the API defines them: type and name, no schema", async () => {
    fake.setModel(inOrder(reply.text("ok")));
    const message = await sdk.messages.create({
      model,
      max_tokens: 100,
      tools: [bash, { ...editor, max_characters: 10_000 }, editTool],
      messages: [{ role: "user", content: "go" }],
    });
    expect(message.stop_reason).toBe("end_turn");
  });

  it.each([
    [
      "a built-in tool under another name",
      { tools: [{ ...bash, name: "shell" }] },
      "tools.0.bash_20250124.name: Input should be 'bash'",
    ],
    [
      "a built-in tool with a schema",
      { tools: [{ ...bash, input_schema: { type: "object" } }] },
      "tools.0.bash_20250124.input_schema: Extra inputs are not permitted",
    ],
    [
      "an unknown tool type",
      { tools: [{ type: "shell_20990101", name: "shell" }] },
      "tools.0: Input tag 'shell_20990101' found using 'type' does not match any of the expected tags",
    ],
    [
      "a custom tool without a schema",
      { tools: [{ name: "t", description: "d" }] },
      "tools.0.custom.input_schema: Field required",
    ],
    [
      "a non-positive max_characters",
      { tools: [{ ...editor, max_characters: 0 }] },
      "tools.0.text_editor_20250728.max_characters: Input should be greater than or equal to 1",
    ],
    [
      "forced tool use",
      { tools: [editTool], tool_choice: { type: "any" } },
      'tool_choice: type "tool" and "any" are not supported for this model.',
    ],
    [
      "thinking turned off",
      { thinking: { type: "disabled" } },
      '"thinking.type.disabled" is not supported for this model',
    ],
    [
      "a thinking budget",
      { thinking: { type: "enabled", budget_tokens: 2000 } },
      '"thinking.type.enabled" is not supported for this model',
    ],
    [
      "a sampling temperature",
      { temperature: 0.2 },
      "temperature: this model supports only the default value",
    ],
    ["an unknown effort", { output_config: { effort: "extreme" } }, "output_config.effort: Input should be"],
    [
      "between_tools at max effort",
      { thinking: { type: "between_tools" }, output_config: { effort: "max" } },
      'is not supported with output_config.effort "max"',
    ],
  ])("refuses %s as the current models do", async (_name, extra, message) => {
    const error = await ask(extra);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(apiMessage(error)).toContain(message);
  });

  it("takes the sampling defaults, and refuses tool results that come after text in their message", async () => {
    fake.setModel(() => reply.text("ok"));
    expect(await ask({ temperature: 1 })).toMatchObject({ type: "message" });
    const error = await ask({
      tools: [editTool],
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "edit", input: {} }] },
        {
          role: "user",
          content: [
            { type: "text", text: "here:" },
            { type: "tool_result", tool_use_id: "toolu_1", content: "done" },
          ],
        },
      ],
    });
    expect(apiMessage(error)).toContain("tool_result blocks must come before any other content");
  });

  it("refuses a prefilled assistant turn", async () => {
    const error = await sdk.messages
      .create({
        model,
        max_tokens: 10,
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: "{" },
        ],
      })
      .catch((e: unknown) => e);
    expect((error as BadRequestError).message).toContain("does not support assistant message prefill");
  });

  it("refuses thinking blocks that were edited, dropped or moved to another conversation", async () => {
    fake.setModel(() => reply.tool("edit", { path: "a", text: "b" }));
    const first = await sdk.messages.create({
      model,
      max_tokens: 100,
      tools: [editTool],
      messages: [{ role: "user", content: "go" }],
    });
    const use = first.content.find((b) => b.type === "tool_use");
    const result = {
      role: "user" as const,
      content: [{ type: "tool_result" as const, tool_use_id: use?.id ?? "", content: "ok" }],
    };
    const again = (content: unknown[], prompt = "go") =>
      sdk.messages
        .create({
          model,
          max_tokens: 100,
          tools: [editTool],
          messages: [
            { role: "user", content: prompt },
            { role: "assistant", content: content as never },
            result,
          ],
        })
        .catch((e: unknown) => e);
    // As it came: accepted (a moved cache breakpoint changes nothing).
    const echoed = first.content.map((b, i) => (i === first.content.length - 1 ? { ...b, ...cached } : b));
    expect(await again(echoed)).toMatchObject({ type: "message" });
    const dropped = (await again(first.content.filter((b) => b.type !== "thinking"))) as BadRequestError;
    expect(dropped.message).toContain("blocks in the latest assistant message cannot be modified");
    const edited = (await again(
      first.content.map((b) => (b.type === "thinking" ? { ...b, thinking: "I changed my mind" } : b)),
    )) as BadRequestError;
    expect(edited.message).toContain("cannot be modified");
    const moved = (await again(first.content, "another conversation")) as BadRequestError;
    expect(moved.message).toContain(
      "Invalid `signature` in `thinking` block. The block is bound to a different conversation.",
    );
  });

  it("cuts the last block at max_tokens: half a tool call's input arrives, then a progress thinking block", async () => {
    fake.setModel(() => ({
      ...reply.tool("edit", { path: "src/a.ts", text: "x".repeat(200) }),
      stopReason: "max_tokens",
    }));
    const message = await sdk.messages
      .stream({ model, max_tokens: 50, tools: [editTool], messages: [{ role: "user", content: "go" }] })
      .finalMessage();
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.content.map((b) => b.type)).toEqual(["thinking", "tool_use", "thinking"]);
    // The SDK parses what arrived of the input: the cut string is dropped, the complete field is kept.
    expect(message.content[1]).toMatchObject({ type: "tool_use", name: "edit", input: { path: "src/a.ts" } });
    expect((message.content[1] as { input: { text?: string } }).input.text).toBeUndefined();
  });

  it("will not let a script call a tool the request did not offer, or a built-in tool with the wrong fields", async () => {
    for (const [tools, script] of [
      [[editTool], reply.tool("bash", { command: "ls" })],
      [[bash], reply.tool("bash", { cmd: "ls" })],
      [
        [editor],
        reply.tool("str_replace_based_edit_tool", {
          command: "insert",
          path: "a",
          insert_line: 1,
          new_str: "x",
        }),
      ],
      [[editor], reply.tool("str_replace_based_edit_tool", { command: "write", path: "a" })],
    ] as const) {
      fake.setModel(() => script);
      const error = await sdk.messages
        .create({
          model,
          max_tokens: 10,
          tools: [...tools] as never,
          messages: [{ role: "user", content: "go" }],
        })
        .catch((e: unknown) => e);
      expect((error as Error).message).toContain("the scripted model answered as no real model would");
    }
    expect(fake.scriptProblems.splice(0)).toEqual([
      'it called "bash", which the request does not offer',
      'bash takes {"command": string} or {"restart": true}, not {"cmd":"ls"}',
      'the editor\'s insert takes no field "new_str"',
      'the editor has no command "write"',
    ]);
  });
});
