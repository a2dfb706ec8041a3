import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages/messages";
import type { AgentRole } from "../domain/config/repo-config.js";

/** Who makes a call: the run, the agent role, the node (if any) and the turn within that role and node. */
export type CallMeta = { runId: string; role: AgentRole; nodeId?: string; turn: number };

/** A Messages API request without the model, which the client chooses from the role. */
export type ModelRequest = Omit<MessageCreateParamsNonStreaming, "model" | "stream">;

/** The rate-limit headers of the last answer, so a scheduler can slow down before it is throttled. */
export type RateLimitInfo = Partial<
  Record<
    | "requestsLimit"
    | "requestsRemaining"
    | "inputTokensLimit"
    | "inputTokensRemaining"
    | "outputTokensLimit"
    | "outputTokensRemaining"
    | "retryAfterS",
    number
  >
>;

export type TransportResult = {
  message: Message;
  attempts: number;
  rateLimit: RateLimitInfo;
  requestId?: string;
};

/** One Messages API call, with retries. The real API and a recorded trace both implement it. */
export type MessagesTransport = {
  send(params: MessageCreateParamsNonStreaming, meta: CallMeta): Promise<TransportResult>;
};
