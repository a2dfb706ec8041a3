import type { ModelPrice } from "../config/repo-config.js";
import { UnknownPriceError } from "../errors.js";
import type { Usage } from "./usage.js";

/**
 * USD cost of `usage` on `model`, one call's (a long-prompt price applies by the call's prompt). Throws
 * UnknownPriceError when the price table has no such model.
 */
export function costOf(model: string, usage: Usage, prices: Readonly<Record<string, ModelPrice>>): number {
  const price = prices[model];
  if (!price) {
    throw new UnknownPriceError({
      problem: `The price table has no entry for model "${model}", so its cost cannot be counted.`,
      fix: `Add prices."${model}" (input, output, cacheRead, cacheWrite in USD per million tokens) to .github/swarm.yml.`,
    });
  }
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const tier = price.longPrompt && prompt > price.longPrompt.aboveTokens ? price.longPrompt : price;
  // An hour's write costs twice the input price (Anthropic's multiplier) where the table gives none.
  const hour = usage.cacheWrite1hTokens ?? 0;
  return (
    (usage.inputTokens * tier.input +
      usage.outputTokens * tier.output +
      usage.cacheReadTokens * tier.cacheRead +
      (usage.cacheWriteTokens - hour) * tier.cacheWrite +
      hour * (tier.cacheWrite1h ?? 2 * tier.input)) /
    1_000_000
  );
}
