// The checks the real API makes that a bug in swarm could trip, so the fake refuses what Anthropic would.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { toolDefinitionProblem } from "./builtin-tools.js";
import { countBreakpoints, ttlOrderProblem } from "./usage.js";

// The current models (the 5.5 family, Fable and Mythos) think adaptively and refuse the older controls.
const CURRENT = /^claude-(?:(?:opus|sonnet|haiku)-5-5|fable|mythos)/;
const EFFORTS = ["low", "medium", "high", "xhigh", "max"];

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
    // The results come first in their message, before any text (the docs' rule; the wording is the fake's).
    if (next && typeof next.content !== "string" && uses.length > 0) {
      const firstOther = next.content.findIndex((b) => b.type !== "tool_result");
      const lastResult = next.content.findLastIndex((b) => b.type === "tool_result");
      if (firstOther >= 0 && firstOther < lastResult)
        return `messages.${i + 1}: tool_result blocks must come before any other content in the message`;
    }
  }
  if (countBreakpoints(body) > 4) return "A maximum of 4 blocks with cache_control may be provided.";
  const ttls = JSON.stringify(body).match(/"ttl":"[^"]*"/g) ?? [];
  const badTtl = ttls.find((t) => t !== '"ttl":"5m"' && t !== '"ttl":"1h"');
  if (badTtl) return `cache_control.ttl: Input should be '5m' or '1h' (got ${badTtl.slice(6)})`;
  const order = ttlOrderProblem(body);
  if (order) return order;
  const tools = toolDefinitionProblem(body.tools);
  if (tools) return tools;
  const effort = body.output_config?.effort;
  if (effort != null && !EFFORTS.includes(effort))
    return `output_config.effort: Input should be ${EFFORTS.map((e) => `'${e}'`).join(", ")}`;
  if (CURRENT.test(body.model)) {
    const current = currentModelProblem(body);
    if (current) return current;
  }
  const format = body.output_config?.format;
  if (format && (format.type !== "json_schema" || typeof format.schema !== "object")) {
    return "output_config.format: must be a json_schema format with a schema object";
  }
  return null;
}

/** What the 5.5 models refuse: forced tools, thinking budgets or off, sampling parameters, prefill. */
function currentModelProblem(body: MessageCreateParams): string | null {
  const choice = body.tool_choice?.type;
  if (choice === "any" || choice === "tool")
    return 'tool_choice: type "tool" and "any" are not supported for this model.';
  const thinking = body.thinking?.type;
  if (thinking === "disabled" || thinking === "enabled")
    return `"thinking.type.${thinking}" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.`;
  if (thinking === "between_tools") {
    if (!/^claude-sonnet-5-5/.test(body.model))
      return '"thinking.type.between_tools" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.';
    const effort = body.output_config?.effort;
    if (effort === "xhigh" || effort === "max")
      return `"thinking.type.between_tools" is not supported with output_config.effort "${effort}". Use effort "low", "medium" or "high", or "thinking.type.adaptive".`;
  }
  // Only the defaults are taken (temperature and top_p of 1); any other value is refused.
  const sampling = body as unknown as Record<string, unknown>;
  for (const name of ["temperature", "top_p", "top_k"])
    if (
      sampling[name] !== undefined &&
      sampling[name] !== null &&
      !(name !== "top_k" && sampling[name] === 1)
    )
      return `${name}: this model supports only the default value; leave ${name} out of the request.`;
  if (body.messages.at(-1)?.role === "assistant")
    return "This model does not support assistant message prefill. The conversation must end with a user message.";
  return null;
}
