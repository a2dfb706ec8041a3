import type { MessageParam, TextBlockParam } from "@anthropic-ai/sdk/resources/messages/messages";

export type PromptParts = {
  /** The role's instructions: the same for every call of the role. */
  system: string;
  /** Stable context shared by the calls of a run (repository map, spec, plan), most stable first. */
  context: readonly string[];
  /** What this call is about (a node's task): volatile, so it comes last. */
  task: string;
};

export type Prompt = { system: TextBlockParam[]; messages: MessageParam[] };

const CACHED = { cache_control: { type: "ephemeral" } } as const;

/**
 * Assembles a prompt stable-first, with cache breakpoints after the system prompt and after the shared
 * context, so parallel calls of a run (every coder, say) read one cached prefix and pay only for their task.
 */
export function buildPrompt(parts: PromptParts): Prompt {
  const context: TextBlockParam[] = parts.context.map((text) => ({ type: "text", text }));
  const last = context.at(-1);
  if (last) context[context.length - 1] = { ...last, ...CACHED };
  return {
    system: [{ type: "text", text: parts.system, ...CACHED }],
    messages: [{ role: "user", content: [...context, { type: "text", text: parts.task }] }],
  };
}

/** The shared prefix of a prompt alone, for one call that writes the cache before the fan-out. */
export function cachePrefixOf(prompt: Prompt): Prompt {
  const first = prompt.messages[0];
  const content = typeof first?.content === "string" ? [] : (first?.content ?? []);
  const lastCached = content.findLastIndex((block) => "cache_control" in block && block.cache_control);
  const shared = content.slice(0, lastCached + 1);
  return {
    system: prompt.system,
    messages: [
      { role: "user", content: [...shared, { type: "text", text: "Reply with the single word: ready." }] },
    ],
  };
}
