// Anthropic-defined client tools as the real API takes them: a definition is only `type` and the exact `name`
// (plus the few options each accepts), with no input_schema; the model calls them with the fields it was
// trained on. The fake refuses a malformed definition with the API's messages, and refuses to let a scripted
// model call a built-in tool with fields the real model never sends.
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";

const COMMON = new Set([
  "type",
  "name",
  "cache_control",
  "strict",
  "defer_loading",
  "allowed_callers",
  "input_examples",
]);

const BUILTINS: Record<string, { name: string; options: readonly string[] }> = {
  bash_20250124: { name: "bash", options: [] },
  text_editor_20250728: { name: "str_replace_based_edit_tool", options: ["max_characters"] },
  text_editor_20250429: { name: "str_replace_based_edit_tool", options: [] },
  text_editor_20250124: { name: "str_replace_editor", options: [] },
};
const TAGS = [
  "bash_20250124",
  "custom",
  "text_editor_20250124",
  "text_editor_20250429",
  "text_editor_20250728",
];
const NAME = /^[a-zA-Z0-9_-]{1,128}$/;

/** The 400 the real API gives for the request's tool definitions, or null when they are valid. */
export function toolDefinitionProblem(tools: MessageCreateParams["tools"]): string | null {
  const names = new Set<string>();
  for (const [i, raw] of (tools ?? []).entries()) {
    const tool = raw as unknown as Record<string, unknown>;
    const type = typeof tool.type === "string" ? tool.type : "custom";
    const builtin = BUILTINS[type];
    if (!builtin && type !== "custom")
      return `tools.${i}: Input tag '${type}' found using 'type' does not match any of the expected tags: ${TAGS.map((t) => `'${t}'`).join(", ")}`;
    if (builtin) {
      if (tool.name !== builtin.name) return `tools.${i}.${type}.name: Input should be '${builtin.name}'`;
      for (const key of Object.keys(tool))
        if (!COMMON.has(key) && !builtin.options.includes(key))
          return `tools.${i}.${type}.${key}: Extra inputs are not permitted`;
      if (
        "max_characters" in tool &&
        tool.max_characters !== null &&
        !(Number.isInteger(tool.max_characters) && (tool.max_characters as number) >= 1)
      )
        return `tools.${i}.${type}.max_characters: Input should be greater than or equal to 1`;
    } else {
      if (typeof tool.name !== "string" || !NAME.test(tool.name))
        return `tools.${i}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`;
      if (!("input_schema" in tool)) return `tools.${i}.custom.input_schema: Field required`;
      const schema = tool.input_schema as { type?: unknown } | null;
      if (schema?.type !== "object") return `tools.${i}.custom.input_schema.type: Input should be 'object'`;
    }
    const name = String(tool.name);
    if (names.has(name)) return `tools: Tool names must be unique. Found duplicate: ${name}`;
    names.add(name);
  }
  return null;
}

type Field = "string" | "integer" | "boolean" | "range";
const EDITOR: Record<string, { required: Record<string, Field>; optional: Record<string, Field> }> = {
  view: { required: { path: "string" }, optional: { view_range: "range" } },
  create: { required: { path: "string", file_text: "string" }, optional: {} },
  str_replace: { required: { path: "string", old_str: "string" }, optional: { new_str: "string" } },
  insert: { required: { path: "string", insert_line: "integer", insert_text: "string" }, optional: {} },
};

/**
 * Why a scripted tool call is not one the real model would make: a tool the request did not offer, or a
 * built-in tool called with fields outside its trained shape. Null when it is fine.
 */
export function scriptedCallProblem(
  tools: MessageCreateParams["tools"],
  call: { name: string; input: unknown },
): string | null {
  const offered = (tools ?? [])
    .map((t) => t as unknown as Record<string, unknown>)
    .find((t) => t.name === call.name);
  if (!offered) return `it called "${call.name}", which the request does not offer`;
  const type = typeof offered.type === "string" ? offered.type : "custom";
  const input = (call.input ?? {}) as Record<string, unknown>;
  if (type === "bash_20250124") {
    const keys = Object.keys(input);
    if (input.restart === true && keys.every((k) => k === "restart" || k === "command")) return null;
    if (typeof input.command === "string" && keys.length === 1) return null;
    return `bash takes {"command": string} or {"restart": true}, not ${JSON.stringify(input)}`;
  }
  if (type.startsWith("text_editor_")) {
    const shape = EDITOR[String(input.command)];
    if (!shape) return `the editor has no command ${JSON.stringify(input.command)}`;
    const allowed: Record<string, Field> = { command: "string", ...shape.required, ...shape.optional };
    for (const key of Object.keys(input)) {
      if (!(key in allowed)) return `the editor's ${input.command} takes no field "${key}"`;
      if (!fits(input[key], allowed[key] as Field))
        return `the editor's ${input.command} field "${key}" has the wrong type`;
    }
    for (const key of Object.keys(shape.required))
      if (!(key in input)) return `the editor's ${input.command} needs "${key}"`;
  }
  return null;
}

function fits(value: unknown, field: Field): boolean {
  if (field === "string") return typeof value === "string";
  if (field === "integer") return Number.isInteger(value);
  if (field === "boolean") return typeof value === "boolean";
  return Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n));
}
