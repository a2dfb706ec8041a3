import type { MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import type { ModelRequest } from "./types.js";

type Marked = { cache_control?: { type: "ephemeral"; ttl?: "5m" | "1h" } | null };

/**
 * The request with every cache breakpoint kept for `ttl`. The prompts set breakpoints without a TTL (five
 * minutes, the API's default); a repository whose checks run longer than that between an agent's turns asks
 * for an hour (`cache.ttl`), and every breakpoint gets it, so the API's rule that an hour's entries come
 * before five minutes' holds.
 */
export function withCacheTtl(request: ModelRequest, ttl: "5m" | "1h"): ModelRequest {
  if (ttl === "5m") return request;
  const mark = <T>(block: T): T => {
    const cc = (block as Marked).cache_control;
    return cc ? ({ ...block, cache_control: { ...cc, ttl } } as T) : block;
  };
  return {
    ...request,
    ...(Array.isArray(request.system) ? { system: request.system.map(mark) } : {}),
    ...(request.tools ? { tools: request.tools.map(mark) } : {}),
    messages: request.messages.map(
      (m): MessageParam =>
        typeof m.content === "string" ? m : ({ ...m, content: m.content.map(mark) } as MessageParam),
    ),
  };
}
