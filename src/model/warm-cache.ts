import type { ToolUnion } from "@anthropic-ai/sdk/resources/messages/messages";
import { withCacheTtl } from "./cache-ttl.js";
import type { Caller, ModelClient, ModelResult } from "./model-client.js";
import { cachePrefixOf, type Prompt } from "./prompt/build-prompt.js";

/**
 * One small call with the shared prefix of `prompt` and the same tools, made before a fan-out. A cache
 * entry exists only once the first answer to it has started, so parallel calls sent together would each
 * write the cache; after this, they all read it.
 */
export function warmCache(
  client: ModelClient,
  caller: Caller,
  prompt: Prompt,
  tools: readonly ToolUnion[],
  ttl: "5m" | "1h" = "5m",
): Promise<ModelResult> {
  return client.call(caller, withCacheTtl({ ...cachePrefixOf(prompt, tools), max_tokens: 16 }, ttl));
}
