// The checks the real API makes that a bug in swarm could trip, so the fake refuses what Anthropic would.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { countBreakpoints } from "./usage.js";

export function requestProblem(
  body: MessageCreateParams,
  endpoint: "messages" | "count_tokens",
): string | null {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required";
  if (endpoint === "messages" && (!Number.isInteger(body.max_tokens) || body.max_tokens < 1)) {
    return "max_tokens: must be a positive integer";
  }

  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return "messages: at least one message is required";
  if (body.messages[0]?.role !== "user") return 'messages: first message must use the "user" role';
  for (const [i, message] of body.messages.entries()) {
    if (i > 0 && body.messages[i - 1]?.role === message.role) {
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${message.role}" roles in a row`;
    }
    if (typeof message.content !== "string" && message.content.length === 0) {
      return `messages.${i}: all messages must have non-empty content`;
    }
  }
  // Every tool_use must be answered by a tool_result in the next message, and only those.
  for (const [i, message] of body.messages.entries()) {
    if (message.role !== "assistant" || typeof message.content === "string") continue;
    const uses = message.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : []));
    const next = body.messages[i + 1];
    const results =
      next && typeof next.content !== "string"
        ? next.content.flatMap((b) => (b.type === "tool_result" ? [b.tool_use_id] : []))
        : [];
    const missing = uses.filter((id) => !results.includes(id));
    if (next && missing.length > 0) {
      return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after: ${missing.join(", ")}`;
    }
    const unknown = results.filter((id) => !uses.includes(id));
    if (unknown.length > 0)
      return `messages.${i + 1}: unexpected tool_use_id found in tool_result blocks: ${unknown[0]}`;
  }
  if (countBreakpoints(body) > 4) return "A maximum of 4 blocks with cache_control may be provided.";
  const format = body.output_config?.format;
  if (format && (format.type !== "json_schema" || typeof format.schema !== "object")) {
    return "output_config.format: must be a json_schema format with a schema object";
  }
  for (const tool of body.tools ?? []) {
    if ("input_schema" in tool && tool.input_schema?.type !== "object") {
      return `tools.${tool.name}.input_schema.type: Input should be 'object'`;
    }
  }
  return null;
}
