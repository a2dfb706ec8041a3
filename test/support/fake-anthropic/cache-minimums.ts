// The shortest prefix each model caches, from the prompt-caching docs: a breakpoint on a shorter prefix
// caches nothing, and the API says so only by the usage it reports (no error).
const MINIMUMS: readonly [RegExp, number][] = [
  [/^claude-(opus-5|sonnet-5-5|haiku-5-5|fable-5|mythos-5)/, 512],
  [/^claude-(haiku-4-5|opus-4-5|opus-4-6)/, 4096],
  [/^claude-(opus-4-7|sonnet-4-6)/, 2048],
  [/^claude-(sonnet-5|opus-4-8|sonnet-4|opus-4|3)/, 1024],
];

/** The model's minimum cacheable length in tokens; a model the table does not know gets 1,024. */
export function minCacheableTokens(model: string): number {
  return MINIMUMS.find(([pattern]) => pattern.test(model))?.[1] ?? 1024;
}
