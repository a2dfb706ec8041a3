import type { MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildPrompt } from "../../src/model/prompt/build-prompt.js";
import { defineTool, runAgent } from "../../src/model/run-agent.js";
import { readTrace } from "../../src/model/trace/file-trace-sink.js";
import { inOrder, reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { modelClientFor } from "../support/model-rig.js";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.stop());

// Long enough for the model's minimum cacheable prefix (512 tokens), as a real coder's system prompt is.
const SYSTEM = `You code. ${"Explore the repository, make the change, run the checks, and finish. ".repeat(40)}`;
const prompt = buildPrompt({ system: SYSTEM, context: ["<spec>Add</spec>"], task: "Add two numbers." });
const files = new Map<string, string>();
const tools = [
  defineTool({
    name: "write_file",
    description: "Write a file.",
    input: z.object({ path: z.string().regex(/^src\//), text: z.string() }),
    run: async ({ path, text }) => {
      files.set(path, text);
      return `wrote ${path}`;
    },
  }),
  defineTool({
    name: "run_checks",
    description: "Run the checks.",
    input: z.object({}),
    run: async () => {
      throw new Error("npm test exited 1");
    },
  }),
];
const limits = { maxTurns: 10, maxOutputTokensPerTurn: 1000 };
const toolResultsOf = (messages: readonly MessageParam[]) =>
  messages
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .flatMap((b) => (b.type === "tool_result" ? [String(b.content)] : []));
const runCoder = (extra: Partial<Parameters<typeof runAgent>[1]> = {}) =>
  runAgent(modelClientFor(fake).client, {
    caller: { role: "coder", nodeId: "add" },
    prompt,
    tools,
    limits,
    ...extra,
  });

describe("runAgent", () => {
  it("runs tool calls, feeds results back, and stops when the model is done", async () => {
    fake.setModel(
      inOrder(
        reply.tool("write_file", { path: "src/add.ts", text: "export const add = (a, b) => a + b;" }),
        reply.tool("run_checks", {}),
        reply.text("Done: added src/add.ts."),
      ),
    );
    const result = await runCoder();
    expect(result).toMatchObject({
      stop: "done",
      turns: 3,
      toolCalls: 2,
      finalText: "Done: added src/add.ts.",
    });
    expect(files.get("src/add.ts")).toContain("a + b");
    const last = fake.requests.at(-1)?.body;
    const results = last?.messages.filter((m) => m.role === "user" && Array.isArray(m.content)).slice(1);
    expect(results?.map((m) => (m.content as { content: string; is_error?: boolean }[])[0])).toEqual([
      { type: "tool_result", tool_use_id: expect.any(String), content: "wrote src/add.ts" },
      {
        type: "tool_result",
        tool_use_id: expect.any(String),
        content: "run_checks failed: npm test exited 1",
        is_error: true,
        cache_control: { type: "ephemeral" },
      },
    ]);
    expect(last?.tools?.map((t) => ("strict" in t ? t.strict : undefined))).toEqual([true, true]);
  });

  it("returns invalid tool input to the model as an error it can fix", async () => {
    fake.setModel(
      inOrder(reply.tool("write_file", { path: "/etc/passwd", text: "x" }), reply.text("gave up")),
    );
    const result = await runCoder();
    expect(toolResultsOf(fake.requests.at(-1)?.body.messages ?? [])).toEqual([
      "Invalid input for write_file:\npath: Invalid string: must match pattern /^src\\//",
    ]);
    expect(result.stop).toBe("done");
  });

  it("does not run a tool call cut off at max_tokens: it says which, and how to fit, and goes on", async () => {
    fake.setModel(
      inOrder(
        {
          content: [
            { type: "tool_use", name: "write_file", input: { path: "src/ok.ts", text: "done" } },
            { type: "tool_use", name: "write_file", input: { path: "src/big.ts", text: "x".repeat(400) } },
          ],
          stopReason: "max_tokens",
        },
        {
          content: [{ type: "text", text: "I was writing a long explanation of" }],
          stopReason: "max_tokens",
        },
        reply.text("Done."),
      ),
    );
    files.clear();
    const result = await runCoder();
    expect(result).toMatchObject({ stop: "done", turns: 3, cutOffs: 2 });
    // The complete call before the cut one ran; the cut one did not.
    expect([...files.keys()]).toEqual(["src/ok.ts"]);
    const messages = fake.requests.at(-1)?.body.messages ?? [];
    expect(toolResultsOf(messages)).toEqual([
      "wrote src/ok.ts",
      "Your output reached the limit of 1000 tokens while you were writing this write_file call, so it was cut off and did not run. Call it again with less input.",
    ]);
    const afterText = messages.at(-1);
    expect(afterText?.role).toBe("user");
    expect(JSON.stringify(afterText?.content)).toContain(
      "Your answer reached the output limit of 1000 tokens and was cut off. Go on from where it stopped, in shorter steps.",
    );
  });

  it("sends Anthropic-defined tools as their type and name only, and checks their input itself", async () => {
    const seen: unknown[] = [];
    const bash = defineTool({
      name: "bash",
      description: "",
      builtin: { type: "bash_20250124", name: "bash" },
      input: z.object({ command: z.string() }),
      run: async (input) => {
        seen.push(input);
        return "ran";
      },
    });
    fake.setModel(inOrder(reply.tool("bash", { command: "ls" }), reply.text("Done.")));
    await runCoder({ tools: [bash, ...tools] });
    expect(fake.requests.at(-1)?.body.tools?.[0]).toEqual({ type: "bash_20250124", name: "bash" });
    expect(seen).toEqual([{ command: "ls" }]);
  });

  it("stops at the turn limit", async () => {
    fake.setModel(() => reply.tool("run_checks", {}));
    const result = await runCoder({ limits: { ...limits, maxTurns: 3 } });
    expect(result).toMatchObject({ stop: "max-turns", turns: 3, toolCalls: 3 });
  });

  it("stops at its own cost limit", async () => {
    fake.setModel(() => reply.tool("run_checks", {}));
    const result = await runCoder({ limits: { ...limits, maxUsd: 0.000001 } });
    expect(result).toMatchObject({ stop: "cost-limit", turns: 1 });
  });

  it("stops before the next turn once cancelled", async () => {
    fake.setModel(() => reply.tool("run_checks", {}));
    let turns = 0;
    const result = await runCoder({ shouldStop: () => ++turns > 2 });
    expect(result).toMatchObject({ stop: "cancelled", turns: 2 });
  });

  it("keeps at most one moving cache breakpoint in the conversation, within the API's four", async () => {
    fake.setModel(inOrder(reply.tool("run_checks", {}), reply.tool("run_checks", {}), reply.text("done")));
    const { client, tracePath } = modelClientFor(fake);
    const before = fake.requests.length;
    await runAgent(client, { caller: { role: "coder", nodeId: "add" }, prompt, tools, limits });
    for (const request of fake.requests.slice(before)) {
      const marked = request.body.messages.flatMap((m, i) =>
        Array.isArray(m.content)
          ? m.content.flatMap((b, j) => ("cache_control" in b && b.cache_control ? [`${i}.${j}`] : []))
          : [],
      );
      // The shared context block and the task, plus the newest block from the second turn on.
      expect(marked.slice(0, 2)).toEqual(["0.0", "0.1"]);
      expect(marked.length).toBe(request.body.messages.length === 1 ? 2 : 3);
      expect(marked.at(-1)?.startsWith(`${request.body.messages.length - 1}.`)).toBe(true);
    }
    // Turn 2 writes the conversation at its moving breakpoint; turn 3 reads all of it from the cache.
    const usage = (await readTrace(tracePath)).map((line) => line.usage);
    expect(usage).toHaveLength(3);
    expect(usage[1]?.cacheWriteTokens).toBeGreaterThan(0);
    expect(usage[2]?.cacheReadTokens).toBeGreaterThan(500);
    expect(usage[2]?.cacheReadTokens).toBe(
      (usage[1]?.cacheReadTokens ?? 0) + (usage[1]?.cacheWriteTokens ?? 0),
    );
  });
});

it("a turn of eleven parallel tool calls still reads the conversation from the cache, not writing it all again", async () => {
  // Eleven calls and their results are 23 blocks (with the turn's thinking): past the API's 20-block lookback
  // from the newest breakpoint to the one the turn before wrote.
  const eleven = {
    content: Array.from({ length: 11 }, () => ({ type: "tool_use" as const, name: "run_checks", input: {} })),
    stopReason: "tool_use" as const,
  };
  fake.setModel(inOrder(reply.tool("run_checks", {}), eleven, reply.text("done")));
  const { client, tracePath } = modelClientFor(fake);
  const before = fake.requests.length;
  const result = await runAgent(client, { caller: { role: "coder", nodeId: "add" }, prompt, tools, limits });
  expect(result).toMatchObject({ stop: "done", turns: 3, toolCalls: 12 });
  const usage = (await readTrace(tracePath)).map((line) => line.usage);
  // The third turn reads all that the second read and wrote; it writes only what the eleven calls added.
  expect(usage[1]?.cacheReadTokens).toBeGreaterThan(500);
  expect(usage[2]?.cacheReadTokens).toBe(
    (usage[1]?.cacheReadTokens ?? 0) + (usage[1]?.cacheWriteTokens ?? 0),
  );
  const third = fake.requests.slice(before)[2]?.body;
  const marks = (third?.messages ?? []).flatMap((m, i) =>
    Array.isArray(m.content)
      ? m.content.flatMap((b, j) => ("cache_control" in b && b.cache_control ? [`${i}.${j}`] : []))
      : [],
  );
  // The shared context, the task, the second turn's breakpoint set again, and the newest block: the API's four.
  expect(marks).toEqual(["0.0", "0.1", "2.0", "4.10"]);
});

describe("runAgent with a structured answer", () => {
  const Answer = z.strictObject({ verdict: z.enum(["ok", "broken"]), line: z.int() });
  const answer = { what: "verdict", schema: Answer };

  it("asks for JSON outputs beside its tools, sends a wrong answer back with its problems, and returns the valid one", async () => {
    fake.setModel(
      inOrder(
        reply.tool("run_checks", {}),
        reply.text("It looks broken to me."),
        reply.json({ verdict: "broken", line: "four" }),
        reply.json({ verdict: "broken", line: 4 }),
      ),
    );
    const start = fake.requests.length;
    const result = await runCoder({ output: answer });
    expect(result).toMatchObject({ stop: "done", turns: 4, output: { verdict: "broken", line: 4 } });
    const sent = fake.requests.slice(start).map((r) => r.body);
    for (const body of sent) {
      expect(body.output_config?.format).toMatchObject({ type: "json_schema", schema: { type: "object" } });
      expect(body.tools?.map((t) => ("name" in t ? t.name : t.type))).toEqual(["write_file", "run_checks"]);
      expect(body.tool_choice).toBeUndefined();
    }
    const repairs = sent.slice(2).map((b) => JSON.stringify(b.messages.at(-1)?.content));
    expect(repairs[0]).toContain("Your verdict has these problems:\\n- the reply is not valid JSON");
    expect(repairs[1]).toContain("- line: Invalid input: expected number, received string");
  });

  it("closes the tools on its last turn (tool_choice none, and it is told), so it answers with what it has", async () => {
    fake.setModel(
      inOrder(
        reply.tool("run_checks", {}),
        reply.tool("run_checks", {}),
        reply.json({ verdict: "ok", line: 0 }),
      ),
    );
    const start = fake.requests.length;
    const result = await runCoder({ output: answer, limits: { maxTurns: 3, maxOutputTokensPerTurn: 1000 } });
    expect(result).toMatchObject({ stop: "done", turns: 3, output: { verdict: "ok", line: 0 } });
    const sent = fake.requests.slice(start).map((r) => r.body);
    expect(sent.map((b) => b.tool_choice)).toEqual([undefined, undefined, { type: "none" }]);
    expect(JSON.stringify(sent[2]?.messages.at(-1)?.content)).toContain(
      "This is your last turn: the tools are closed now. Answer with what you have found.",
    );
  });

  it("sends an answer that breaks `check` back with its problems, and repairs an answer given on the last turn with the tools still closed", async () => {
    fake.setModel(
      inOrder(
        reply.tool("run_checks", {}),
        reply.json({ verdict: "ok", line: 0 }),
        reply.json({ verdict: "broken", line: 4 }),
      ),
    );
    const start = fake.requests.length;
    const result = await runAgent(modelClientFor(fake).client, {
      caller: { role: "reviewer" },
      prompt,
      tools,
      limits: { maxTurns: 2, maxOutputTokensPerTurn: 1000 },
      output: { ...answer, check: (a) => (a.line > 0 ? [] : ["line: name the line that breaks"]) },
    });
    expect(result).toMatchObject({ stop: "done", turns: 3, output: { verdict: "broken", line: 4 } });
    const sent = fake.requests.slice(start).map((r) => r.body);
    expect(sent.map((b) => b.tool_choice)).toEqual([undefined, { type: "none" }, { type: "none" }]);
    expect(JSON.stringify(sent[2]?.messages.at(-1)?.content)).toContain(
      "Your verdict has these problems:\\n- line: name the line that breaks",
    );
  });

  it("refuses, as the API would, a scripted tool call on a turn whose tools are closed", async () => {
    fake.setModel(inOrder(reply.tool("run_checks", {}), reply.tool("run_checks", {})));
    const problems = fake.scriptProblems.length;
    await expect(
      runCoder({ output: answer, limits: { maxTurns: 2, maxOutputTokensPerTurn: 1000 } }),
    ).rejects.toThrow();
    expect(fake.scriptProblems.slice(problems)).toEqual([
      'it called "run_checks", but the request\'s tool_choice is none',
    ]);
  });

  it("gives up with invalid-output and the problems once the repairs are spent", async () => {
    fake.setModel(inOrder(reply.text("no"), reply.text("still no")));
    const result = await runCoder({ output: { ...answer, maxRepairs: 1 } });
    expect(result.stop).toBe("invalid-output");
    expect(result.output).toBeUndefined();
    expect(result.outputProblems?.[0]).toContain("the reply is not valid JSON");
  });
});
