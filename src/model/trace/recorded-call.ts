import type { Message } from "@anthropic-ai/sdk/resources/messages/messages";
import { z } from "zod";
import type { Usage } from "../../domain/budget/usage.js";
import type { ModelRequest } from "../types.js";

/** What a trace line records of its request, so a replay can tell whether this run asks the same (see digestRequest). */
export const DigestSchema = z.object({
  /** sha256 (first 16 hex digits) of the system prompt. */
  system: z.string(),
  /** The tools' names, in order, and a hash of their definitions. */
  tools: z.array(z.string()),
  toolsHash: z.string(),
  /** Hash of the structured-output format (its JSON schema), or null without one. */
  format: z.string().nullable(),
  /** Everything else that steers the call: max_tokens, effort, thinking, tool_choice. */
  settings: z.record(z.string(), z.unknown()),
  /** Hash of the task: the agent's first message (spec, plan, node goal, files, code context). */
  task: z.string(),
  /** How many messages the conversation holds at this call. */
  messages: z.number().int().nonnegative(),
});
export type RequestDigest = z.infer<typeof DigestSchema>;

/**
 * A line of a trace.jsonl as a replay reads it: the fields it uses are checked; the rest passes through.
 * Traces written before digests have none, and the demo's recorded trace leaves the requests out.
 */
export const RecordedCallSchema = z.looseObject({
  role: z.string().min(1),
  node: z.string().nullable(),
  turn: z.number().int().nonnegative(),
  model: z.string(),
  requestHash: z.string().optional(),
  digest: DigestSchema.optional(),
  /** The task's text (normalised as digested), where the requests are left out (the demo's trace). */
  task: z.string().optional(),
  request: z
    .custom<ModelRequest>(
      (v) => typeof v === "object" && v !== null && Array.isArray((v as { messages?: unknown }).messages),
      "must be an object with a messages array",
    )
    .optional(),
  response: z
    .custom<Message>(
      (v) =>
        typeof v === "object" &&
        v !== null &&
        (v as { type?: unknown }).type === "message" &&
        Array.isArray((v as { content?: unknown }).content),
      "must be a Messages API message (type message, with content) or null",
    )
    .nullable(),
  usage: z
    .custom<Usage>((v) => typeof v === "object")
    .nullable()
    .optional(),
  attempts: z.number().int().nonnegative(),
  rateLimit: z.record(z.string(), z.number()).default({}),
  error: z
    .object({
      code: z.string(),
      failure: z.string().optional(),
      decision: z.enum(["retry", "fail-node", "tell-user"]),
      problem: z.string(),
      fix: z.string(),
    })
    .nullable(),
});

export type RecordedCall = z.infer<typeof RecordedCallSchema>;
