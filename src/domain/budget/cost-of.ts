import type { ModelPrice } from "../config/repo-config.js";
import { UnknownPriceError } from "../errors.js";
import type { Usage } from "./usage.js";

/** USD cost of `usage` on `model`. Throws UnknownPriceError when the price table has no such model. */
export function costOf(model: string, usage: Usage, prices: Readonly<Record<string, ModelPrice>>): number {
  const price = prices[model];
  if (!price) {
    throw new UnknownPriceError({
      problem: `The price table has no entry for model "${model}", so its cost cannot be counted.`,
      fix: `Add prices."${model}" (input, output, cacheRead, cacheWrite in USD per million tokens) to .github/swarm.yml.`,
    });
  }
  return (
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheReadTokens * price.cacheRead +
      usage.cacheWriteTokens * price.cacheWrite) /
    1_000_000
  );
}
