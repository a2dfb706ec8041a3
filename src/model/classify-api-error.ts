import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import type { ModelFailure } from "./model-call-error.js";

export type Classified = {
  failure: ModelFailure;
  retry: boolean;
  /** What the server asked us to wait, if it said. */
  retryAfterMs?: number;
  status?: number;
  message: string;
  headers?: Headers;
};

/**
 * Whether a failed call may succeed if tried again. Retried: 429 (unless the spend limit is reached), 408,
 * 409, 5xx and 529, timeouts, connection resets and malformed bodies. Never retried: 400, 401, 403, 404, 413.
 */
export function classifyApiError(error: unknown): Classified {
  if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) {
    return { failure: "timeout", retry: true, message: "the request timed out" };
  }
  if (error instanceof APIConnectionError) {
    return { failure: "connection", retry: true, message: `the connection failed (${error.message})` };
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const headers = error.headers instanceof Headers ? error.headers : undefined;
    const body = (error.error ?? {}) as { error?: { message?: string; details?: { error_code?: string } } };
    const message = body.error?.message ?? error.message;
    const retryAfterMs = parseRetryAfter(headers);
    const base = { status, message, headers, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    const shouldRetry = headers?.get("x-should-retry");
    if (isSpendLimit(status, message, body.error?.details?.error_code))
      return { ...base, failure: "spend-limit", retry: false };
    if (status === 401) return { ...base, failure: "authentication", retry: false };
    if (status === 403) return { ...base, failure: "permission", retry: false };
    if (status === 404) return { ...base, failure: "not-found", retry: false };
    if (shouldRetry === "false") return { ...base, failure: "bad-request", retry: false };
    if (status === 429) return { ...base, failure: "rate-limited", retry: true };
    if (status === 529) return { ...base, failure: "overloaded", retry: true };
    if (status >= 500 || status === 408 || status === 409)
      return { ...base, failure: "server-error", retry: true };
    return { ...base, failure: "bad-request", retry: false };
  }
  // The SDK throws a plain error when a 200 answer is not valid JSON or a stream breaks off.
  const message = error instanceof Error ? error.message : String(error);
  // An answer that began and broke off (undici's "terminated"), or a stream that ended before any event:
  // the call had no effect, so it is sent again like a 529.
  if (
    /\bterminated\b|without sending any chunks|socket hang up|ECONNRESET|other side closed|premature close/i.test(
      message,
    )
  ) {
    return { failure: "interrupted", retry: true, message: `the answer broke off (${message})` };
  }
  if (error instanceof SyntaxError || /JSON|stream ended|unexpected end/i.test(message)) {
    return { failure: "malformed-response", retry: true, message: `the answer was malformed (${message})` };
  }
  return { failure: "unknown", retry: false, message };
}

function isSpendLimit(status: number, message: string, code: string | undefined): boolean {
  if (code === "enforced_spend_limit_reached") return true;
  return (
    (status === 429 || status === 400) && /spend limit|specified (workspace )?API usage limits/i.test(message)
  );
}

function parseRetryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
