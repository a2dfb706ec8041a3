// Token counts and a prompt-cache simulation faithful enough to test where breakpoints go: the prefix up to
// each `cache_control` block (tools, then system, then messages) is cached once a response to it has started.
import { createHash } from "node:crypto";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";

export type FakeUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
};

/** The cache's lifetimes: five minutes unless the breakpoint asks for an hour. */
const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;

/** About four characters a token, like English text and code. */
export function countTokens(value: unknown): number {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return Math.ceil(text.length / 4);
}

type Block = { tokens: number; breakpoint: boolean; ttl: "5m" | "1h"; json: string };

/** The request as the cache sees it: tools, then system, then messages, a block each, with its tokens. */
export function blocksOf(body: MessageCreateParams): Block[] {
  const blocks: Block[] = [];
  const add = (value: unknown) => {
    const marked = typeof value === "object" && value !== null && "cache_control" in value;
    const control = marked ? (value.cache_control as { ttl?: "5m" | "1h" } | null) : null;
    // The cache keys on content: the same block with or without a breakpoint is the same prefix.
    const json = JSON.stringify(marked ? { ...value, cache_control: undefined } : value);
    blocks.push({ tokens: countTokens(json), breakpoint: !!control, ttl: control?.ttl ?? "5m", json });
  };

  for (const tool of body.tools ?? []) add(tool);
  // A string is the same content as one text block.
  if (typeof body.system === "string") add({ type: "text", text: body.system });
  else for (const block of body.system ?? []) add(block);
  for (const message of body.messages) {
    if (typeof message.content === "string") add({ role: message.role, type: "text", text: message.content });
    else for (const block of message.content) add({ role: message.role, ...block });
  }
  return blocks;
}

export function countBreakpoints(body: MessageCreateParams): number {
  return blocksOf(body).filter((b) => b.breakpoint).length;
}

/** The API's rule on mixed lifetimes: an hour's breakpoints come before five minutes' (null when kept). */
export function ttlOrderProblem(body: MessageCreateParams): string | null {
  const ttls = blocksOf(body).flatMap((b) => (b.breakpoint ? [b.ttl] : []));
  const short = ttls.indexOf("5m");
  return short >= 0 && ttls.lastIndexOf("1h") > short
    ? "a cache_control block with ttl '1h' must come before any with ttl '5m'"
    : null;
}

export class PromptCache {
  /** Prefix key → when the entry expires (each read refreshes it for its lifetime). */
  private readonly entries = new Map<string, { expires: number; ttl: "5m" | "1h" }>();

  constructor(
    minTokens: number | ((model: string) => number) = 0,
    private readonly now: () => number = Date.now,
  ) {
    this.minTokensOf = typeof minTokens === "number" ? () => minTokens : minTokens;
  }

  private readonly minTokensOf: (model: string) => number;

  private live(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry && entry.expires > this.now()) return true;
    this.entries.delete(key);
    return false;
  }

  /**
   * Usage of the request's input, and a function that stores its prefixes (called when the answer starts).
   * Like the real API, a breakpoint also finds hits at the block boundaries before it: 20 positions, itself
   * the first, so a breakpoint that moves along a conversation reads what the previous turn wrote while the
   * turn added fewer than 20 blocks.
   */
  lookup(body: MessageCreateParams): { usage: Omit<FakeUsage, "output_tokens">; commit: () => void } {
    const blocks = blocksOf(body);
    const minTokens = this.minTokensOf(body.model);
    const prefixes: { key: string; tokens: number; breakpoint: boolean; ttl: "5m" | "1h" }[] = [];
    const hash = createHash("sha256").update(body.model);
    let tokens = 0;
    for (const block of blocks) {
      hash.update(block.json);
      tokens += block.tokens;
      prefixes.push({ key: hash.copy().digest("hex"), tokens, breakpoint: block.breakpoint, ttl: block.ttl });
    }
    const breakpoints = prefixes.flatMap((p, i) => (p.breakpoint && p.tokens >= minTokens ? [i] : []));
    const last = breakpoints.at(-1);
    let hit: number | undefined;
    for (const b of breakpoints) {
      for (let i = b; i >= Math.max(0, b - 19); i--) {
        const p = prefixes[i];
        if (p && p.tokens >= minTokens && this.live(p.key) && (hit === undefined || i > hit)) hit = i;
      }
    }
    const read = hit === undefined ? 0 : (prefixes[hit]?.tokens ?? 0);
    const written = last !== undefined && last !== hit ? (prefixes[last]?.tokens ?? 0) - read : 0;
    // The written part is billed at the lifetime of the breakpoint it was written for (the last one).
    const ttl = last === undefined ? "5m" : (prefixes[last]?.ttl ?? "5m");
    return {
      usage: {
        input_tokens: tokens - read - written,
        cache_read_input_tokens: read,
        cache_creation_input_tokens: written,
        cache_creation: {
          ephemeral_5m_input_tokens: ttl === "5m" ? written : 0,
          ephemeral_1h_input_tokens: ttl === "1h" ? written : 0,
        },
      },
      commit: () => {
        const at = this.now();
        const hitEntry = hit === undefined ? undefined : prefixes[hit];
        if (hitEntry) {
          const kept = this.entries.get(hitEntry.key);
          if (kept) kept.expires = at + TTL_MS[kept.ttl];
        }
        for (const b of breakpoints) {
          const p = prefixes[b];
          if (p) this.entries.set(p.key, { expires: at + TTL_MS[p.ttl], ttl: p.ttl });
        }
      },
    };
  }
}
