import type { Message } from "@anthropic-ai/sdk/resources/messages/messages";
import { describe, expect, it } from "vitest";
import { ModelCallError } from "../../src/model/model-call-error.js";
import { createReplayTransport, requestHash } from "../../src/model/replay-transport.js";
import type { RecordedCall } from "../../src/model/trace/recorded-call.js";
import { digestRequest } from "../../src/model/trace/request-digest.js";
import type { CallMeta, ModelRequest } from "../../src/model/types.js";

const MODEL = "claude-sonnet-5-5";
const answer = (text: string): Message =>
  ({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: MODEL,
    content: [{ type: "text", text, citations: null }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1 },
  }) as unknown as Message;

const tool = (name: string) => ({
  name,
  description: `the ${name} tool`,
  input_schema: { type: "object" as const },
});
const spec = "<spec>\n# Add a todo list\n\nStore todos and add `add` and `list` commands.\n</spec>";

/** A coder's request: its task (the first message) and, after `turn` turns, tool results with real output. */
function request(task: string, turn = 0, output = "ran in 12ms"): ModelRequest {
  const messages: ModelRequest["messages"] = [{ role: "user", content: [{ type: "text", text: task }] }];
  for (let i = 0; i < turn; i++)
    messages.push(
      {
        role: "assistant",
        content: [{ type: "tool_use", id: `t${i}`, name: "bash", input: { command: "ls" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: `t${i}`, content: output }] },
    );
  return {
    system: [{ type: "text", text: "You are a coder of swarm." }],
    tools: [tool("bash"), tool("finish")],
    max_tokens: 8000,
    messages,
  };
}

const meta = (turn: number, nodeId = "store"): CallMeta => ({ runId: "r", role: "coder", nodeId, turn });

/** A trace line as swarm writes it, with or without its digest and request (old traces, the demo's). */
function line(
  req: ModelRequest,
  turn: number,
  keep: { digest?: boolean; request?: boolean } = {},
): RecordedCall {
  return {
    role: "coder",
    node: "store",
    turn,
    model: MODEL,
    requestHash: requestHash(req),
    ...(keep.digest === false ? {} : { digest: digestRequest(req).digest }),
    ...(keep.request === false ? {} : { request: req }),
    response: answer(`turn ${turn}`),
    attempts: 1,
    rateLimit: {},
    error: null,
  };
}

const missOf = async (promise: Promise<unknown>) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelCallError);
  return error as ModelCallError;
};

describe("createReplayTransport", () => {
  it("answers calls whose task, tools and settings match, though tool output differs between runs", async () => {
    const task = `${spec}\nBefore you started:\n<check-log>\nTests 3 passed, Duration 130ms, Start at 15:26:02\n</check-log>`;
    const transport = createReplayTransport([
      line(request(task), 0),
      line(request(task, 1, "ran in 12ms"), 1),
    ]);
    const here = task.replace("130ms", "147ms").replace("15:26:02", "15:26:19");
    expect((await transport.send({ ...request(here), model: MODEL }, meta(0))).message).toEqual(
      answer("turn 0"),
    );
    const second = await transport.send({ ...request(here, 1, "ran in 31ms"), model: MODEL }, meta(1));
    expect(second.message).toEqual(answer("turn 1"));
    expect(transport.miss).toBeUndefined();
  });

  it("fails at the first call whose task differs, naming the call and showing both around the difference", async () => {
    const transport = createReplayTransport([line(request(spec), 0)], { source: "old.trace.jsonl" });
    const other = spec.replace("Add a todo list", "Export the list as CSV");
    const miss = await missOf(transport.send({ ...request(other), model: MODEL }, meta(0)));
    expect(miss.code).toBe("model-replay-miss");
    expect(miss.decision).toBe("tell-user");
    expect(miss.problem).toBe(
      "The trace old.trace.jsonl does not match this run: the request for the coder of node `store`, turn 0 differs from the recorded one, so its answers were recorded for another spec, repository or settings.",
    );
    expect(miss.details).toEqual([
      `the task (the agent's first message) differs: recorded ${JSON.stringify(spec.slice(0, 120))}, here ${JSON.stringify(other.slice(0, 120))}`,
    ]);
    expect(miss.fix).toContain("run without --replay with ANTHROPIC_API_KEY set");
    // The run ends on it: every later call fails the same way, even one the trace could answer.
    expect(await missOf(transport.send({ ...request(spec), model: MODEL }, meta(0)))).toBe(miss);
    expect(transport.miss).toBe(miss);
  });

  it("cuts the excerpts to about 120 characters around the difference and redacts secrets in them", async () => {
    const padding = "x".repeat(300);
    const recorded = `${padding} token ghp_${"a".repeat(36)} then the old ending ${padding}`;
    const here = `${padding} token ghp_${"a".repeat(36)} then the new ending ${padding}`;
    const transport = createReplayTransport([line(request(recorded), 0)]);
    const [detail] = (await missOf(transport.send({ ...request(here), model: MODEL }, meta(0)))).details;
    expect(detail).toMatch(
      /^the task \(the agent's first message\) differs: recorded "…[^"]*\[REDACTED\] then the old ending x+…", here "…[^"]*\[REDACTED\] then the new ending x+…"$/,
    );
    expect(detail).not.toContain("ghp_");
    const quoted = [...(detail ?? "").matchAll(/"(…[^"]*…)"/g)].map((m) => m[1]?.length ?? 0);
    expect(quoted).toHaveLength(2);
    for (const length of quoted) expect(length).toBeLessThanOrEqual(122);
  });

  it("says which part differs: the tools, the settings, the system prompt, the model, the conversation", async () => {
    const recorded = request(spec, 1);
    const cases: [ModelRequest, string, string][] = [
      [
        { ...recorded, tools: [tool("bash"), tool("run_checks")] },
        MODEL,
        "the tools differ: recorded [bash, finish], here [bash, run_checks]",
      ],
      [
        { ...recorded, tools: [tool("bash"), { ...tool("finish"), description: "new" }] },
        MODEL,
        "the tools' definitions differ (the same tools: [bash, finish])",
      ],
      [
        { ...recorded, max_tokens: 16000, thinking: { type: "adaptive" } },
        MODEL,
        'the settings differ: recorded {"max_tokens":8000}, here {"max_tokens":16000,"thinking":{"type":"adaptive"}}',
      ],
      [
        { ...recorded, system: "You are a planner." },
        MODEL,
        "the system prompt differs (another version of swarm's prompts)",
      ],
      [recorded, "claude-opus-5", `the model differs: recorded ${MODEL}, here claude-opus-5`],
      [
        { ...recorded, messages: request(spec, 2).messages },
        MODEL,
        "the conversation differs: recorded with 3 messages so far, here 5",
      ],
    ];
    for (const [here, model, said] of cases) {
      const transport = createReplayTransport([line(recorded, 1)]);
      expect((await missOf(transport.send({ ...here, model }, meta(1)))).details).toEqual([said]);
    }
  });

  it("says when the trace runs out, and how many calls it holds", async () => {
    const transport = createReplayTransport([line(request(spec), 0)], { source: "t.jsonl" });
    await transport.send({ ...request(spec), model: MODEL }, meta(0));
    const miss = await missOf(transport.send({ ...request(spec, 1), model: MODEL }, meta(1)));
    expect(miss.problem).toBe(
      "The trace t.jsonl has no call for the coder of node `store`, turn 1: it ends before this run does (it holds 1 call), so it was recorded from a run that went differently.",
    );
  });

  it("checks a line without a digest against its stored request (traces written before digests)", async () => {
    const transport = createReplayTransport([line(request(spec), 0, { digest: false })]);
    const miss = await missOf(
      transport.send({ ...request("<spec>\n# Something else</spec>"), model: MODEL }, meta(0)),
    );
    expect(miss.details[0]).toMatch(
      /^the task \(the agent's first message\) differs: recorded "<spec>\\n# Add a todo list/,
    );
  });

  it("shows the recorded task from the `task` text a trace without requests keeps (the demo's)", async () => {
    const first = { ...line(request(spec), 0, { request: false }), task: digestRequest(request(spec)).task };
    const later = line(request(spec, 1), 1, { request: false });
    const transport = createReplayTransport([first, later]);
    await transport.send({ ...request(spec), model: MODEL }, meta(0));
    const miss = await missOf(transport.send({ ...request(`${spec} and more`, 1), model: MODEL }, meta(1)));
    expect(miss.details).toEqual([
      `the task (the agent's first message) differs: recorded ${JSON.stringify(`…${spec.slice(-40)}`)}, here ${JSON.stringify(`…${spec.slice(-40)} and more`)}`,
    ]);
  });

  it("without the text of the recorded task, says so and shows how this one begins", async () => {
    const transport = createReplayTransport([line(request(spec), 0, { request: false })]);
    const miss = await missOf(
      transport.send({ ...request("<spec>\n# Other</spec>"), model: MODEL }, meta(0)),
    );
    expect(miss.details).toEqual([
      `the task (the agent's first message) differs; the trace keeps no text of it to compare, and here it begins "<spec>\\n# Other</spec>"`,
    ]);
  });

  it("refuses to trust a line with neither digest nor request (the oldest traces) when its hash differs", async () => {
    const transport = createReplayTransport([line(request(spec), 0, { digest: false, request: false })]);
    // The same request: its whole-request hash matches, so it is answered.
    expect((await transport.send({ ...request(spec), model: MODEL }, meta(0))).message).toEqual(
      answer("turn 0"),
    );
    const other = createReplayTransport([line(request(spec), 0, { digest: false, request: false })]);
    const error = await missOf(other.send({ ...request("<spec>\n# Other</spec>"), model: MODEL }, meta(0)));
    expect(error.code).toBe("model-replay-miss");
    expect(error.problem).toContain("made before swarm kept digests, so it cannot say what differed");
    expect(other.mismatches).toBe(1);
  });

  it("replays a recorded failure as the same error, not as a miss", async () => {
    const failed: RecordedCall = {
      ...line(request(spec), 0),
      response: null,
      error: {
        code: "model-overloaded",
        failure: "overloaded",
        decision: "retry",
        problem: "busy",
        fix: "wait",
      },
    };
    const error = await missOf(
      createReplayTransport([failed]).send({ ...request(spec), model: MODEL }, meta(0)),
    );
    expect(error).toMatchObject({ code: "model-overloaded", decision: "retry", problem: "busy" });
  });
});
