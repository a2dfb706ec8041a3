import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { CacheTtl } from "../../domain/estimate/choose-cache-ttl.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { ModelClient } from "../../model/model-client.js";
import { buildPrompt } from "../../model/prompt/build-prompt.js";
import { toolDefinitions } from "../../model/run-agent.js";
import { warmCache } from "../../model/warm-cache.js";
import { coderSystemPrompt } from "./coder-prompt.js";
import { detachedCoderTools } from "./coder-tools.js";
import type { RunBlock } from "./run-block.js";

const WARM_WAIT_MS = 30_000;

/**
 * Writes the coders' shared prefix (their tools, system prompt and the run block) to the cache before the
 * first of them start, when more than one starts at once: an entry exists only once a response to it has
 * begun, so coders sent together would each write it. A run whose first wave is one coder needs none: that
 * coder writes it, and the later ones read it.
 */
export async function warmCoders(
  model: ModelClient,
  config: RepoConfig,
  plan: Plan,
  runBlock: RunBlock,
  ttl: CacheTtl,
): Promise<boolean> {
  const roots = plan.nodes.filter((n) => n.dependsOn.length === 0);
  const first = roots[0];
  if (!config.cache.warm || !first || Math.min(roots.length, config.limits.maxParallelNodes) < 2)
    return false;
  const prompt = buildPrompt({ system: await coderSystemPrompt(config), context: runBlock, task: "" });
  const warm = warmCache(
    model,
    { role: "coder" },
    prompt,
    toolDefinitions(detachedCoderTools(config, first)),
    ttl,
  );
  // The coders do not wait long on it: a slow answer (retries) lets them start, and write the cache.
  const late = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), WARM_WAIT_MS).unref());
  return (await Promise.race([warm.then(() => true), late])) === true;
}
