import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type { ContentBlockParam, MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import type { z } from "zod";
import type { Caller, ModelClient, ModelResult } from "./model-client.js";
import { parseStructured } from "./parse-structured.js";
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
 * at most `maxRepairs` times, then a StructuredOutputError names the fields that failed. A reply cut off at
 * max_tokens is asked for again, shorter, in the same way. Each reply goes back as it came (thinking blocks
 * included), as the API requires, and the conversation always ends with a user turn (no prefill).
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
    if (result.message.stop_reason === "refusal") {
      throw new StructuredOutputError(
        `${who} refused to produce the ${options.what}.`,
        "Reword the spec, then comment `/swarm retry`.",
      );
    }
    const text = result.message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("");
    const cut = result.message.stop_reason === "max_tokens";
    const parsed = cut ? null : parseStructured(text, options.schema);
    problems = cut
      ? [
          `your reply reached the output limit of ${options.maxTokens} tokens and was cut off before the JSON was complete: write it again, shorter (fewer and shorter words in the text fields)`,
        ]
      : parsed?.ok
        ? (options.check?.(parsed.value) ?? [])
        : (parsed?.problems ?? []);
    if (parsed?.ok && problems.length === 0) {
      return {
        value: parsed.value,
        turns: turn + 1,
        costUsd: calls.reduce((sum, c) => sum + c.costUsd, 0),
        calls,
      };
    }
    const said = result.message.content as ContentBlockParam[];
    messages.push(
      { role: "assistant", content: said.length > 0 ? said : "(empty reply)" },
      {
        role: "user",
        content: `Your ${options.what} has these problems:\n${problems.map((p) => `- ${p}`).join("\n")}\n\nReply again with the complete, corrected JSON object and nothing else.`,
      },
    );
  }
  const cutEveryTime = calls.every((c) => c.message.stop_reason === "max_tokens");
  throw new StructuredOutputError(
    cutEveryTime
      ? `The ${options.caller.role}'s ${options.what} was cut off at ${options.maxTokens} output tokens on each of ${maxRepairs + 1} tries.`
      : `The ${options.caller.role}'s ${options.what} still had problems after ${maxRepairs + 1} tries.`,
    cutEveryTime
      ? `Raise agents.${options.caller.role}.maxOutputTokens in .github/swarm.yml, or split the spec into smaller issues; then comment \`/swarm retry\`.`
      : "Comment `/swarm retry` to try again; if it keeps failing, split the spec into smaller issues.",
    problems,
  );
}
