import { z } from "zod";

/** Tokens of one or more model calls, as the Messages API reports them. */
export const UsageSchema = z.object({
  inputTokens: z.int().nonnegative(),
  outputTokens: z.int().nonnegative(),
  cacheReadTokens: z.int().nonnegative(),
  cacheWriteTokens: z.int().nonnegative(),
  /** Of the cache writes, those kept for an hour (priced at `cacheWrite1h`); the rest are 5-minute writes. */
  cacheWrite1hTokens: z.int().nonnegative().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  return {
    inputTokens: a.inputTokens + (b.inputTokens ?? 0),
    outputTokens: a.outputTokens + (b.outputTokens ?? 0),
    cacheReadTokens: a.cacheReadTokens + (b.cacheReadTokens ?? 0),
    cacheWriteTokens: a.cacheWriteTokens + (b.cacheWriteTokens ?? 0),
    ...(a.cacheWrite1hTokens || b.cacheWrite1hTokens
      ? { cacheWrite1hTokens: (a.cacheWrite1hTokens ?? 0) + (b.cacheWrite1hTokens ?? 0) }
      : {}),
  };
}

/** All tokens the model processed: this is what `limits.maxTokensPerRun` counts. */
export function totalTokens(u: Usage): number {
  return u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;
}
