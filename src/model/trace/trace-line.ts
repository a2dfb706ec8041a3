import type { Message } from "@anthropic-ai/sdk/resources/messages/messages";
import type { Usage } from "../../domain/budget/usage.js";
import type { ErrorDecision } from "../../domain/errors.js";
import type { ModelRequest, RateLimitInfo } from "../types.js";
import type { RequestDigest } from "./recorded-call.js";

/** One model call, as a line of the run's trace.jsonl. */
export type TraceLine = {
  ts: string;
  run: string;
  node: string | null;
  role: string;
  model: string;
  turn: number;
  /** sha256 of the whole request (it differs between runs wherever command output does). */
  requestHash: string;
  /** What a replay compares, so it can tell a run that asks the same things from one that does not. */
  digest: RequestDigest;
  request: ModelRequest;
  response: Message | null;
  usage: Usage | null;
  costUsd: number;
  latencyMs: number;
  attempts: number;
  stopReason: string | null;
  rateLimit: RateLimitInfo;
  error: { code: string; failure?: string; decision: ErrorDecision; problem: string; fix: string } | null;
};

export type TraceSink = { write(line: TraceLine): Promise<void> };
