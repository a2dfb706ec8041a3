import type { MessageParam, TextBlockParam, ToolUnion } from "@anthropic-ai/sdk/resources/messages/messages";

export type PromptParts = {
  /** The role's instructions: the same for every call of the role. */
  system: string;
  /** Stable context shared by the calls of a run (spec, plan, conventions, repository map), most stable first. */
  context: readonly string[];
  /** What this call is about (a node's task): volatile, so it comes last. */
  task: string;
};

export type Prompt = { system: TextBlockParam[]; messages: MessageParam[] };

const CACHED = { cache_control: { type: "ephemeral" } } as const;

/**
 * Assembles a prompt stable-first, with a cache breakpoint after the shared context (the tools and system
 * prompt before it are part of that prefix) and one after the task, so parallel calls of a run (every
 * coder, say) read one cached prefix and each conversation's first turn is read back by its second. Two
 * breakpoints, so the conversation's own two (its newest turn and the lookback's guard) keep within the
 * API's four. Without shared context, the system prompt takes the first.
 */
export function buildPrompt(parts: PromptParts): Prompt {
  const context: TextBlockParam[] = parts.context.map((text) => ({ type: "text", text }));
  const last = context.at(-1);
  if (last) context[context.length - 1] = { ...last, ...CACHED };
  return {
    system: [{ type: "text", text: parts.system, ...(last ? {} : CACHED) }],
    messages: [{ role: "user", content: [...context, { type: "text", text: parts.task, ...CACHED }] }],
  };
}

/**
 * The shared prefix of a prompt alone (tools, system, the shared context up to its breakpoint), for one
 * call that writes the cache before the fan-out.
 */
export function cachePrefixOf(prompt: Prompt, tools: readonly ToolUnion[]) {
  const first = prompt.messages[0];
  const content = typeof first?.content === "string" ? [] : (first?.content ?? []);
  const shared = prompt.system.some((block) => block.cache_control)
    ? -1
    : content.findIndex((block) => "cache_control" in block && block.cache_control);
  return {
    system: prompt.system,
    tools: [...tools],
    messages: [
      {
        role: "user" as const,
        content: [
          ...content.slice(0, shared + 1),
          { type: "text" as const, text: "Reply with the single word: ready." },
        ],
      },
    ],
  };
}
