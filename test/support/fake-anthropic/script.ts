// What a scripted model answers. A script is a function from the request to a reply, so tests can play a
// planner, coders and a reviewer, and give each call a latency or a fault.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";

export type FakeBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id?: string; name: string; input: unknown }
  /** What the model thought; the fake signs it. Empty, as the default `display: "omitted"` returns it. */
  | { type: "thinking"; thinking?: string };

export type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal" | "stop_sequence";

export type Fault =
  | { fault: "rate-limit"; retryAfterS?: number }
  | { fault: "spend-limit" }
  | { fault: "overloaded" }
  | { fault: "server-error" }
  | { fault: "hang" }
  | { fault: "reset" }
  | { fault: "malformed" }
  /** The answer starts (200, the first events) and the connection drops mid-stream. */
  | { fault: "cut" }
  /** A 200 whose stream (or body) ends before any event. */
  | { fault: "empty" }
  | { fault: "status"; status: number; type: string; message: string };

export type ScriptedReply = (
  | {
      content: FakeBlock[];
      /**
       * `max_tokens` cuts the last block as the real API does: a tool call's input JSON stops halfway (the
       * SDK parses what arrived), text stops at half its length.
       */
      stopReason?: StopReason;
      /** Leave out the thinking block the fake otherwise puts first, as the current models do. */
      noThinking?: boolean;
    }
  | Fault
) & {
  /** Milliseconds the server waits before it starts to answer. */
  latencyMs?: number;
};

export type RecordedRequest = {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: MessageCreateParams;
  /** Time from the full request to the end of the answer, on the server. */
  serverMs: number;
  status: number;
};

export type ScriptedModel = (
  request: MessageCreateParams,
  call: number,
) => ScriptedReply | Promise<ScriptedReply>;

export const reply = {
  text: (text: string, extra: Partial<ScriptedReply> = {}): ScriptedReply => ({
    content: [{ type: "text", text }],
    ...extra,
  }),
  json: (value: unknown, extra: Partial<ScriptedReply> = {}): ScriptedReply =>
    reply.text(JSON.stringify(value), extra),
  tool: (name: string, input: unknown, extra: Partial<ScriptedReply> = {}): ScriptedReply => ({
    content: [{ type: "tool_use", name, input }],
    stopReason: "tool_use",
    ...extra,
  }),
};

/** Answers with `replies` in order, then fails loudly if asked for more. */
export function inOrder(...replies: ScriptedReply[]): ScriptedModel {
  return (_request, call) => {
    const next = replies[call];
    if (!next) throw new Error(`the script has ${replies.length} replies, but call ${call + 1} was made`);
    return next;
  };
}
