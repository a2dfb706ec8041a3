import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import type { z } from "zod";
import type { Caller, ModelClient, ModelResult } from "./model-client.js";
import type { Prompt } from "./prompt/build-prompt.js";
import { StructuredOutputError } from "./structured-output-error.js";

export type GenerateObjectOptions<T> = {
  caller: Caller;
  /** What the object is, for messages ("plan", "review"). */
  what: string;
  schema: z.ZodType<T>;
  prompt: Prompt;
  maxTokens: number;
  /** Repair turns after the first reply; each sends the problems back. */
  maxRepairs?: number;
  /** Rules a schema cannot express (a DAG without cycles, say): returns problems, empty when all hold. */
  check?: (value: T) => readonly string[];
};

export type GeneratedObject<T> = { value: T; turns: number; costUsd: number; calls: ModelResult[] };

/**
 * Asks for an object that matches `schema`, using the API's structured outputs (a JSON Schema made from the
 * zod schema). The reply is validated with zod and `check`; problems go back to the model as a repair turn,
 * at most `maxRepairs` times, then a StructuredOutputError names the fields that failed.
 */
export async function generateObject<T>(
  client: ModelClient,
  options: GenerateObjectOptions<T>,
): Promise<GeneratedObject<T>> {
  const maxRepairs = options.maxRepairs ?? 2;
  const format = { type: "json_schema" as const, schema: zodOutputFormat(options.schema).schema };
  const messages: MessageParam[] = [...options.prompt.messages];
  const calls: ModelResult[] = [];
  let problems: readonly string[] = [];

  for (let turn = 0; turn <= maxRepairs; turn++) {
    const result = await client.call(options.caller, {
      system: options.prompt.system,
      messages,
      max_tokens: options.maxTokens,
      output_config: { format },
    });
    calls.push(result);
    const who = `The ${options.caller.role}`;
    if (result.message.stop_reason === "max_tokens") {
      throw new StructuredOutputError(
        `${who}'s ${options.what} was cut off at ${options.maxTokens} output tokens.`,
        "Narrow the spec, or raise the output limit for this role.",
      );
    }
    if (result.message.stop_reason === "refusal") {
      throw new StructuredOutputError(
        `${who} refused to produce the ${options.what}.`,
        "Reword the spec, then comment `/swarm retry`.",
      );
    }
    const text = result.message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
    const parsed = parse(text, options.schema);
    problems = parsed.ok ? (options.check?.(parsed.value) ?? []) : parsed.problems;
    if (parsed.ok && problems.length === 0) {
      return {
        value: parsed.value,
        turns: turn + 1,
        costUsd: calls.reduce((sum, c) => sum + c.costUsd, 0),
        calls,
      };
    }
    messages.push(
      { role: "assistant", content: text === "" ? "(empty reply)" : text },
      {
        role: "user",
        content: `Your ${options.what} has these problems:\n${problems.map((p) => `- ${p}`).join("\n")}\n\nReply again with the complete, corrected JSON object and nothing else.`,
      },
    );
  }
  throw new StructuredOutputError(
    `The ${options.caller.role}'s ${options.what} still had problems after ${maxRepairs + 1} tries.`,
    "Comment `/swarm retry` to try again; if it keeps failing, split the spec into smaller issues.",
    problems,
  );
}

function parse<T>(
  text: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`the reply is not valid JSON (${(error as Error).message})`] };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(the whole object)";
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i ? "." : ""}${String(k)}`)).join("");
}
