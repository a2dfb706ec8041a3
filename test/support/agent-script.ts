// Scripted agents that behave like real ones: each step sees what the agent was shown after the step before
// (the text of the tool results), checks that it is what a real agent would have read there, and decides
// the next call from it. A step whose check fails is recorded, so the test names what the agent missed.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { reply, type ScriptedReply } from "./fake-anthropic/script.js";

export type Step = (shown: string, request: MessageCreateParams) => ScriptedReply;

/** The text of the newest user message: tool results (or the prompt, on the first turn). */
export function shownLast(request: Pick<MessageCreateParams, "messages">): string {
  const content = request.messages.at(-1)?.content ?? "";
  if (typeof content === "string") return content;
  return content
    .map((b) => {
      if (b.type === "text") return b.text;
      if (b.type !== "tool_result") return "";
      return typeof b.content === "string"
        ? b.content
        : (b.content ?? []).map((c) => ("text" in c ? c.text : "")).join("\n");
    })
    .join("\n");
}

/** Every tool result an agent was shown in the request's conversation, in order. */
export function toolResults(request: Pick<MessageCreateParams, "messages">): string[] {
  return request.messages.flatMap((m) =>
    typeof m.content === "string"
      ? []
      : m.content.flatMap((b) =>
          b.type === "tool_result"
            ? [typeof b.content === "string" ? b.content : JSON.stringify(b.content)]
            : [],
        ),
  );
}

export type AgentScript = ((request: MessageCreateParams) => ScriptedReply) & { missed: string[] };

/** Steps by turn (the number of assistant turns so far); past the last, the agent ends its turn. */
export function agentScript(steps: readonly Step[]): AgentScript {
  const missed: string[] = [];
  const model = (request: MessageCreateParams) => {
    const turn = request.messages.filter((m) => m.role === "assistant").length;
    const step = steps[turn];
    if (!step) return reply.text("Done.");
    try {
      return step(shownLast(request), request);
    } catch (error) {
      missed.push(`turn ${turn}: ${(error as Error).message}`);
      throw error;
    }
  };
  return Object.assign(model, { missed });
}

/** A check inside a step: what the agent must have been shown to take the next step. */
export function saw(shown: string, ...needles: (string | RegExp)[]): void {
  for (const needle of needles) {
    const ok = typeof needle === "string" ? shown.includes(needle) : needle.test(shown);
    if (!ok)
      throw new Error(`the agent was not shown ${String(needle)}; it was shown:\n${shown.slice(0, 3000)}`);
  }
}

/** A check inside a step: what the agent must not have been shown. */
export function notSaw(shown: string, ...needles: string[]): void {
  for (const needle of needles)
    if (shown.includes(needle)) throw new Error(`the agent was shown ${needle}:\n${shown.slice(0, 3000)}`);
}
