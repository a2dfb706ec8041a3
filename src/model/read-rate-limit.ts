import type { RateLimitInfo } from "./types.js";

const FIELDS: [keyof RateLimitInfo, string][] = [
  ["requestsLimit", "anthropic-ratelimit-requests-limit"],
  ["requestsRemaining", "anthropic-ratelimit-requests-remaining"],
  ["inputTokensLimit", "anthropic-ratelimit-input-tokens-limit"],
  ["inputTokensRemaining", "anthropic-ratelimit-input-tokens-remaining"],
  ["outputTokensLimit", "anthropic-ratelimit-output-tokens-limit"],
  ["outputTokensRemaining", "anthropic-ratelimit-output-tokens-remaining"],
  ["retryAfterS", "retry-after"],
];

export function readRateLimit(headers: Headers | undefined): RateLimitInfo {
  const info: RateLimitInfo = {};
  for (const [key, header] of FIELDS) {
    const value = Number.parseFloat(headers?.get(header) ?? "");
    if (Number.isFinite(value)) info[key] = value;
  }
  return info;
}
