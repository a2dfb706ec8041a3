// Token counts and a prompt-cache simulation faithful enough to test where breakpoints go: the prefix up to
// each `cache_control` block (tools, then system, then messages) is cached once a response to it has started.
import { createHash } from "node:crypto";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";

export type FakeUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
};

/** About four characters a token, like English text and code. */
export function countTokens(value: unknown): number {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return Math.ceil(text.length / 4);
}

type Block = { tokens: number; breakpoint: boolean; json: string };

function blocksOf(body: MessageCreateParams): Block[] {
  const blocks: Block[] = [];
  const add = (value: unknown) => {
    const json = JSON.stringify(value);
    const breakpoint =
      typeof value === "object" && value !== null && "cache_control" in value && !!value.cache_control;
    blocks.push({ tokens: countTokens(json), breakpoint, json });
  };
  for (const tool of body.tools ?? []) add(tool);
  if (typeof body.system === "string") add(body.system);
  else for (const block of body.system ?? []) add(block);
  for (const message of body.messages) {
    if (typeof message.content === "string") add({ role: message.role, text: message.content });
    else for (const block of message.content) add({ role: message.role, ...block });
  }
  return blocks;
}

export function countBreakpoints(body: MessageCreateParams): number {
  return blocksOf(body).filter((b) => b.breakpoint).length;
}

export class PromptCache {
  private readonly entries = new Set<string>();

  constructor(private readonly minTokens = 0) {}

  /** Usage of the request's input, and a function that stores its prefixes (called when the answer starts). */
  lookup(body: MessageCreateParams): { usage: Omit<FakeUsage, "output_tokens">; commit: () => void } {
    const blocks = blocksOf(body);
    const keys: { index: number; key: string; tokens: number }[] = [];
    const hash = createHash("sha256").update(body.model);
    let tokens = 0;
    for (const [index, block] of blocks.entries()) {
      hash.update(block.json);
      tokens += block.tokens;
      if (block.breakpoint) keys.push({ index, key: hash.copy().digest("hex"), tokens });
    }
    const total = tokens;
    const eligible = keys.filter((k) => k.tokens >= this.minTokens);
    const hit = eligible.findLast((k) => this.entries.has(k.key));
    const lastBreakpoint = eligible.at(-1);
    const read = hit?.tokens ?? 0;
    const written = lastBreakpoint && lastBreakpoint !== hit ? lastBreakpoint.tokens - read : 0;
    return {
      usage: {
        input_tokens: total - read - written,
        cache_read_input_tokens: read,
        cache_creation_input_tokens: written,
      },
      commit: () => {
        for (const k of eligible) this.entries.add(k.key);
      },
    };
  }
}
