import Anthropic from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages/messages";
import type { ErrorDecision } from "../domain/errors.js";
import { type Classified, classifyApiError } from "./classify-api-error.js";
import { ModelCallError, type ModelFailure } from "./model-call-error.js";
import { readRateLimit } from "./read-rate-limit.js";
import type { CallMeta, MessagesTransport, TransportResult } from "./types.js";

export type AnthropicTransportOptions = {
  apiKey: string;
  /** Any server that speaks the Messages API: Anthropic, a gateway, a proxy, a local model server. */
  baseURL?: string;
  /** Per attempt, from sending the request to the end of the answer. */
  timeoutMs?: number;
  maxAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** A retry-after longer than this is not waited for here: the job is retried later instead. */
  maxRetryAfterMs?: number;
  /** Stream answers (the default), so long outputs never hit an idle timeout. */
  stream?: boolean;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: { meta: CallMeta; attempt: number; delayMs: number; failure: ModelFailure }) => void;
};

/** The real Messages API through @anthropic-ai/sdk. The SDK's own retries are off: this loop counts them. */
export function createAnthropicTransport(options: AnthropicTransportOptions): MessagesTransport {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: timeoutMs,
  });

  const once = async (params: MessageCreateParamsNonStreaming) => {
    const request = { signal: AbortSignal.timeout(timeoutMs), timeout: timeoutMs };
    if (options.stream === false) {
      const { data, response, request_id } = await client.messages.create(params, request).withResponse();
      return { message: data, headers: response.headers, requestId: request_id ?? undefined };
    }
    const stream = client.messages.stream(params, request);
    const { response, request_id } = await stream.withResponse();
    const message: Message = await stream.finalMessage();
    return { message, headers: response.headers, requestId: request_id ?? undefined };
  };

  return {
    async send(params, meta): Promise<TransportResult> {
      for (let attempt = 1; ; attempt++) {
        try {
          const { message, headers, requestId } = await once(params);
          return {
            message,
            attempts: attempt,
            rateLimit: readRateLimit(headers),
            ...(requestId ? { requestId } : {}),
          };
        } catch (error) {
          const classified = classifyApiError(error);
          const waitedTooLong = (classified.retryAfterMs ?? 0) > maxRetryAfterMs;
          if (!classified.retry || attempt >= maxAttempts || waitedTooLong) {
            throw toModelCallError(classified, attempt, params.model, meta, timeoutMs, error);
          }
          const exponential = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
          // Full jitter spreads parallel workers apart; a server's retry-after is a floor, never cut short.
          const delayMs = Math.max(classified.retryAfterMs ?? 0, random() * exponential);
          options.onRetry?.({ meta, attempt, delayMs, failure: classified.failure });
          await sleep(delayMs);
        }
      }
    },
  };
}

// Only what swarm does: each call was retried already; a node job gets one more attempt, nothing else does.
const AGAIN = "Comment `/swarm retry` once the API answers again.";

const DECISIONS: Record<ModelFailure, ErrorDecision> = {
  "rate-limited": "retry",
  overloaded: "retry",
  "server-error": "retry",
  timeout: "retry",
  connection: "retry",
  "malformed-response": "retry",
  interrupted: "retry",
  "spend-limit": "tell-user",
  authentication: "tell-user",
  permission: "tell-user",
  "not-found": "tell-user",
  "replay-miss": "tell-user",
  "bad-request": "fail-node",
  unknown: "fail-node",
};

function toModelCallError(
  c: Classified,
  attempts: number,
  model: string,
  meta: CallMeta,
  timeoutMs: number,
  cause: unknown,
): ModelCallError {
  const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  const who = `the ${meta.role}${meta.nodeId ? ` of node "${meta.nodeId}"` : ""}`;
  const texts: Record<ModelFailure, [string, string]> = {
    "spend-limit": [
      `The Anthropic API refused a call for ${who}: the spend limit is reached (${c.message}).`,
      "Raise the spend limit in the Claude Console or wait until it resets, then comment `/swarm retry`.",
    ],
    authentication: [
      "The Anthropic API rejected the API key.",
      "Set ANTHROPIC_API_KEY to a valid key where swarm runs.",
    ],
    permission: [
      `The API key may not use model "${model}" (${c.message}).`,
      "Use a key with access, or change the model in .github/swarm.yml.",
    ],
    "not-found": [
      `The Anthropic API does not know model "${model}" (${c.message}).`,
      `Set models.${meta.role} in .github/swarm.yml to a current model.`,
    ],
    "rate-limited": [
      `The Anthropic API was still rate limiting after ${tries}.`,
      `${AGAIN} Lower limits.maxParallelNodes if it keeps happening.`,
    ],
    overloaded: [`The Anthropic API was still overloaded after ${tries}.`, AGAIN],
    "server-error": [`The Anthropic API kept failing (${c.status}: ${c.message}) after ${tries}.`, AGAIN],
    timeout: [
      `The model did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}, ${tries} made.`,
      `${AGAIN} Raise the model timeout if answers are long.`,
    ],
    connection: [
      `Could not reach the Messages API: ${c.message}, after ${tries}.`,
      `Check ANTHROPIC_BASE_URL and the network. ${AGAIN}`,
    ],
    "malformed-response": [
      `The Messages API answered with a malformed body after ${tries}.`,
      `Check any proxy between swarm and the API. ${AGAIN}`,
    ],
    interrupted: [`The Messages API's answers kept breaking off (${c.message}), ${tries} made.`, AGAIN],
    "bad-request": [
      `The Anthropic API refused the request (${c.status}): ${c.message}`,
      "This is a bug in swarm or an unsupported setting; report it with the run's trace.",
    ],
    "replay-miss": [c.message, "Record the trace again."],
    unknown: [`The model call failed: ${c.message}`, "Report it with the run's trace."],
  };
  const [problem, fix] = texts[c.failure];
  return new ModelCallError(c.failure, DECISIONS[c.failure], attempts, {
    problem,
    fix,
    cause,
    rateLimit: readRateLimit(c.headers),
    ...(c.status === undefined ? {} : { status: c.status }),
  });
}
