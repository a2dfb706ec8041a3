import { type ErrorDecision, type ErrorInit, SwarmError } from "../domain/errors.js";
import type { RateLimitInfo } from "./types.js";

export type ModelFailure =
  | "rate-limited"
  | "spend-limit"
  | "overloaded"
  | "server-error"
  | "timeout"
  | "connection"
  | "malformed-response"
  | "interrupted"
  | "bad-request"
  | "authentication"
  | "permission"
  | "not-found"
  | "replay-miss"
  | "unknown";

/** A model call that failed after its retries; `failure` says why, `attempts` how often it was tried. */
export class ModelCallError extends SwarmError {
  constructor(
    readonly failure: ModelFailure,
    decision: ErrorDecision,
    readonly attempts: number,
    init: ErrorInit & { rateLimit?: RateLimitInfo; status?: number },
  ) {
    super(`model-${failure}`, decision, init);
    this.rateLimit = init.rateLimit ?? {};
    this.status = init.status;
  }
  readonly rateLimit: RateLimitInfo;
  readonly status: number | undefined;
}
