// Thinking blocks as the current models return them: every answer starts with a thinking block (empty
// under the default `display: "omitted"`) carrying an opaque signature. The signature binds the block to its
// conversation (model, system, tools and the messages before it), and the API refuses an assistant turn whose
// thinking blocks were edited, reordered or dropped. The fake signs with a key of its own and checks both.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";

type Block = Record<string, unknown> & { type: string };

/** JSON without cache_control, keys sorted: a moved breakpoint or another key order binds the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === "cache_control") return undefined;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, (v as Record<string, unknown>)[k]]),
    );
  });
}

const blocksOf = (content: unknown): Block[] =>
  typeof content === "string" ? [{ type: "text", text: content }] : ((content ?? []) as Block[]);
const isThinking = (b: Block) => b.type === "thinking" || b.type === "redacted_thinking";

export class ThinkingLedger {
  private readonly key = randomBytes(32);
  /** What the fake answered, by the conversation before it and its non-thinking blocks. */
  private readonly issued = new Map<string, string>();

  private prefix(body: MessageCreateParams, upTo: number): string {
    // A string is the same content as one text block, and a string system prompt the same as its block.
    const system = typeof body.system === "string" ? blocksOf(body.system) : (body.system ?? []);
    const messages = body.messages
      .slice(0, upTo)
      .map((m) => ({ role: m.role, content: blocksOf(m.content) }));
    return canonical([body.model, system, body.tools ?? [], messages]);
  }

  /** A signature for a thinking block at `index` of the answer to `body`, after `before` blocks. */
  sign(body: MessageCreateParams, before: readonly unknown[], thinking: string): string {
    return createHmac("sha256", this.key)
      .update(this.prefix(body, body.messages.length))
      .update(canonical(before))
      .update(thinking)
      .digest("base64");
  }

  /** Remembers an answer, so the same turn sent back later must carry its thinking blocks unchanged. */
  remember(body: MessageCreateParams, content: readonly Block[]): void {
    this.issued.set(this.turnKey(this.prefix(body, body.messages.length), content), canonical(content));
  }

  private turnKey(prefix: string, content: readonly Block[]): string {
    return createHash("sha256")
      .update(prefix)
      .update(canonical(content.filter((b) => !isThinking(b))))
      .digest("hex");
  }

  /** The 400 for thinking blocks that were edited, moved to another conversation, reordered or dropped. */
  problem(body: MessageCreateParams): string | null {
    const latest = body.messages.findLastIndex((m) => m.role === "assistant");
    for (const [i, message] of body.messages.entries()) {
      if (message.role !== "assistant") continue;
      const blocks = blocksOf(message.content);
      const prefix = this.prefix(body, i);
      const original = this.issued.get(this.turnKey(prefix, blocks));
      if (original !== undefined && original !== canonical(blocks)) {
        const j = Math.max(0, blocks.findIndex(isThinking));
        return i === latest
          ? `messages.${i}.content.${j}: \`thinking\` or \`redacted_thinking\` blocks in the latest assistant message cannot be modified. These blocks must remain as they were in the original response.`
          : `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block. The block is bound to a different conversation. Remove the block, or set \`thinking.block_binding.prefix_mismatch_behavior\` to "drop_block".`;
      }
      for (const [j, block] of blocks.entries()) {
        if (block.type !== "thinking") continue;
        const expected = createHmac("sha256", this.key)
          .update(prefix)
          .update(canonical(blocks.slice(0, j)))
          .update(String(block.thinking ?? ""))
          .digest("base64");
        if (block.signature !== expected)
          return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block. The block is bound to a different conversation. Remove the block, or set \`thinking.block_binding.prefix_mismatch_behavior\` to "drop_block".`;
      }
    }
    return null;
  }
}
