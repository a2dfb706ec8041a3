import type { Caller, ModelClient, ModelResult } from "./model-client.js";
import { cachePrefixOf, type Prompt } from "./prompt/build-prompt.js";

/**
 * One small call with the shared prefix of `prompt`, made before a fan-out. A cache entry exists only once
 * the first answer to it has started, so parallel calls sent together would each write the cache; after
 * this, they all read it.
 */
export function warmCache(client: ModelClient, caller: Caller, prompt: Prompt): Promise<ModelResult> {
  const prefix = cachePrefixOf(prompt);
  return client.call(caller, { ...prefix, max_tokens: 8 });
}
