import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type {
  ContentBlockParam,
  MessageParam,
  ToolBash20250124,
  ToolResultBlockParam,
  ToolTextEditor20250728,
  ToolUnion,
  ToolUseBlock,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { z } from "zod";
import { addUsage, NO_USAGE, totalTokens, type Usage } from "../domain/budget/usage.js";
import { withCacheTtl } from "./cache-ttl.js";
import type { Caller, ModelClient } from "./model-client.js";
import { parseStructured } from "./parse-structured.js";
import type { Prompt } from "./prompt/build-prompt.js";

export type ToolOutcome = { content: string; isError?: boolean };

export type AgentTool<I = never> = {
  name: string;
  /** For a tool of our own: what it does, for the model. Anthropic-defined tools carry none. */
  description: string;
  /** Checks the input the model sends; for a tool of our own it is also the schema sent to the API. */
  input: z.ZodType<I>;
  /**
   * An Anthropic-defined tool (the bash and text-editor tools the models are trained on): sent as this
   * definition, with no schema. Its input is still checked with `input` before it runs.
   */
  builtin?: ToolBash20250124 | ToolTextEditor20250728;
  run(input: I): Promise<string | ToolOutcome>;
};

/** A tool whose input type is inferred from its zod schema, ready for a mixed list of tools. */
export function defineTool<I>(tool: AgentTool<I>): AgentTool<never> {
  return tool as unknown as AgentTool<never>;
}

export type AgentLimits = {
  maxTurns: number;
  maxOutputTokensPerTurn: number;
  /** Tokens and USD this agent may use, on top of the run's own budget. */
  maxTokens?: number;
  maxUsd?: number;
};

export type AgentStop =
  | "done"
  /** The agent's answer did not match the structured output's schema after every repair turn. */
  | "invalid-output"
  | "max-turns"
  | "token-limit"
  | "cost-limit"
  | "cancelled"
  | "refused"
  | "context-full";

/**
 * An agent that ends with structured output (the API's JSON outputs, `output_config.format`, beside its
 * tools): its final answer is JSON matching `schema` and the rules of `check`. A reply that does not match
 * goes back with its problems, at most `maxRepairs` times; the last turn offers no tools
 * (`tool_choice: none`), so the agent answers with what it has found rather than run out of turns, and an
 * answer given there still gets its repair turns (with the tools closed).
 */
export type StructuredAnswer<T> = {
  what: string;
  schema: z.ZodType<T>;
  maxRepairs?: number;
  /** Rules a schema cannot express (a DAG without cycles, say): the problems, empty when all hold. */
  check?: (value: T) => readonly string[];
};

export type AgentResult<T = never> = {
  stop: AgentStop;
  /** The structured answer, when one was asked for and the agent gave a valid one. */
  output?: T;
  /** Why the last structured answer was refused, when it was. */
  outputProblems?: readonly string[];
  turns: number;
  toolCalls: number;
  /** Turns whose output reached max_tokens and was continued. */
  cutOffs: number;
  finalText: string;
  usage: Usage;
  costUsd: number;
  messages: MessageParam[];
};

/**
 * The tool-use loop: call the model, run the tools it asks for (inputs validated with zod; failures are
 * returned to the model as errors it can fix), feed the results back, until it stops asking or a limit is
 * reached. An answer cut off at max_tokens does not end the loop: the model is told what was cut (a tool
 * call that was not run, or its text) and goes on, within the turn limit. Each assistant turn goes back
 * exactly as it came, thinking blocks included, as the API requires. `shouldStop` is checked before every
 * turn, so a cancelled run stops at the next turn.
 */
export async function runAgent<T = never>(
  client: ModelClient,
  options: {
    caller: Caller;
    prompt: Prompt;
    tools: readonly AgentTool<never>[];
    limits: AgentLimits;
    shouldStop?: () => boolean | Promise<boolean>;
    output?: StructuredAnswer<T>;
    /** How long the cache keeps this agent's prefixes (every breakpoint it sends); unset, five minutes. */
    cacheTtl?: "5m" | "1h";
  },
): Promise<AgentResult<T>> {
  const { caller, prompt, tools, limits, output } = options;
  const format = output
    ? { type: "json_schema" as const, schema: zodOutputFormat(output.schema).schema }
    : undefined;
  let repairs = 0;
  let answer: { value: T } | undefined;
  let problems: readonly string[] | undefined;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const definitions = toolDefinitions(tools);
  const messages: MessageParam[] = [...prompt.messages];
  let usage = NO_USAGE;
  let costUsd = 0;
  let toolCalls = 0;
  let cutOffs = 0;
  let finalText = "";
  const result = (stop: AgentStop, turns: number): AgentResult<T> => ({
    stop,
    ...(answer ? { output: answer.value } : {}),
    ...(problems && !answer ? { outputProblems: problems } : {}),
    turns,
    toolCalls,
    cutOffs,
    finalText,
    usage,
    costUsd,
    messages,
  });

  // Repair turns granted after the last turn: the tools stay closed, only the answer is asked for again.
  let afterLast = 0;
  for (let turn = 0; turn < limits.maxTurns + afterLast; turn++) {
    if (await options.shouldStop?.()) return result("cancelled", turn);
    if (limits.maxTokens !== undefined && totalTokens(usage) >= limits.maxTokens)
      return result("token-limit", turn);
    if (limits.maxUsd !== undefined && costUsd >= limits.maxUsd) return result("cost-limit", turn);

    // A structured answer's last turn runs no tools: the agent is told, and answers.
    const last = format !== undefined && turn >= limits.maxTurns - 1 && turn > 0;
    if (last && turn === limits.maxTurns - 1) lastTurnNotice(messages);
    const request = {
      system: prompt.system,
      messages: withMovingBreakpoint(messages),
      tools: definitions,
      ...(last ? { tool_choice: { type: "none" as const } } : {}),
      max_tokens: limits.maxOutputTokensPerTurn,
      ...(format ? { output_config: { format } } : {}),
    };
    const reply = await client.call(caller, withCacheTtl(request, options.cacheTtl ?? "5m"));
    usage = addUsage(usage, reply.usage);
    costUsd += reply.costUsd;
    const content = reply.message.content;
    // An answer cut off before its first block has nothing to send back; the API takes no empty turn.
    messages.push({
      role: "assistant",
      content: content.length > 0 ? (content as ContentBlockParam[]) : [{ type: "text", text: "(cut off)" }],
    });
    const text = content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");
    if (text) finalText = text;

    const stop = reply.message.stop_reason;
    if (stop === "refusal") return result("refused", turn + 1);
    if (stop === "model_context_window_exceeded") return result("context-full", turn + 1);
    const cut = stop === "max_tokens";
    if (cut) cutOffs++;
    const uses = content.filter((b): b is ToolUseBlock => b.type === "tool_use");
    if (uses.length === 0 && output) {
      const parsed = cut ? null : parseStructured(text, output.schema);
      const broken = parsed?.ok ? (output.check?.(parsed.value) ?? []) : [];
      if (parsed?.ok && broken.length === 0) {
        answer = { value: parsed.value };
        return result("done", turn + 1);
      }
      problems = parsed
        ? parsed.ok
          ? broken
          : parsed.problems
        : [
            `your reply reached the output limit of ${limits.maxOutputTokensPerTurn} tokens and was cut off before the JSON was complete: write it again, shorter`,
          ];
      if (repairs++ >= (output.maxRepairs ?? 2)) return result("invalid-output", turn + 1);
      if (turn >= limits.maxTurns - 1) afterLast++;
      messages.push({
        role: "user",
        content: `Your ${output.what} has these problems:\n${problems.map((p) => `- ${p}`).join("\n")}\n\nReply again with the complete, corrected JSON object and nothing else.`,
      });
      continue;
    }
    if (uses.length === 0) {
      if (!cut) return result("done", turn + 1);
      messages.push({ role: "user", content: cutOffNotice(limits.maxOutputTokensPerTurn) });
      continue;
    }

    // Only the last block can be unfinished (a progress thinking block may follow it): a tool call there is
    // not run.
    const lastSaid = content.findLast((b) => b.type !== "thinking" && b.type !== "redacted_thinking");
    const unfinished = cut && lastSaid?.type === "tool_use" ? lastSaid : undefined;
    const results: ToolResultBlockParam[] = [];
    for (const use of uses) {
      toolCalls++;
      const outcome =
        use === unfinished
          ? cutOffCall(use, limits.maxOutputTokensPerTurn)
          : await runTool(byName.get(use.name), use);
      results.push({
        type: "tool_result",
        tool_use_id: use.id,
        content: outcome.content,
        ...(outcome.isError ? { is_error: true } : {}),
      });
    }
    messages.push({ role: "user", content: results });
  }
  return result("max-turns", limits.maxTurns + afterLast);
}

/** Tells the agent, in the last message before its last turn, that this turn must be its answer. */
function lastTurnNotice(messages: MessageParam[]): void {
  const notice = {
    type: "text" as const,
    text: "This is your last turn: the tools are closed now. Answer with what you have found.",
  };
  const tail = messages.at(-1);
  if (tail?.role !== "user") return;
  messages[messages.length - 1] = {
    ...tail,
    content:
      typeof tail.content === "string"
        ? [{ type: "text", text: tail.content }, notice]
        : [...tail.content, notice],
  };
}

function cutOffNotice(maxTokens: number): string {
  return `Your answer reached the output limit of ${maxTokens} tokens and was cut off. Go on from where it stopped, in shorter steps.`;
}

/** The result for a tool call whose input was cut off: it did not run, and how to make it fit. */
function cutOffCall(use: ToolUseBlock, maxTokens: number): ToolOutcome {
  const command = (use.input as { command?: unknown } | null)?.command;
  const how =
    use.name === "str_replace_based_edit_tool"
      ? "Write the file in smaller parts: create it with the first part, then add the rest with insert or str_replace, one part per call."
      : use.name === "bash"
        ? "Send a shorter command; put a long script in a file first, in parts, with the editor."
        : "Call it again with less input.";
  return {
    content: `Your output reached the limit of ${maxTokens} tokens while you were writing this ${use.name}${typeof command === "string" && use.name !== "bash" ? ` ${command}` : ""} call, so it was cut off and did not run. ${how}`,
    isError: true,
  };
}

async function runTool(tool: AgentTool<never> | undefined, use: ToolUseBlock): Promise<ToolOutcome> {
  if (!tool) return { content: `There is no tool named "${use.name}".`, isError: true };
  const input = tool.input.safeParse(use.input);
  if (!input.success) {
    const problems = input.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`);
    return { content: `Invalid input for ${tool.name}:\n${problems.join("\n")}`, isError: true };
  }
  try {
    // The input was just validated against the tool's own schema.
    const out = await tool.run(input.data as never);

    return typeof out === "string" ? { content: out } : out;
  } catch (error) {
    return {
      content: `${tool.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      isError: true,
    };
  }
}

/** The tools as the API is sent them: Anthropic's own by their definition, ours by name, description and schema. */
export function toolDefinitions(tools: readonly AgentTool<never>[]): ToolUnion[] {
  return tools.map(
    (tool): ToolUnion =>
      tool.builtin ?? {
        name: tool.name,
        description: tool.description,
        input_schema: zodOutputFormat(tool.input).schema as { type: "object" },
        strict: true,
      },
  );
}

/** The API checks this many block positions back from a breakpoint for an entry, the breakpoint first. */
const CACHE_LOOKBACK_BLOCKS = 20;

/**
 * A cache breakpoint on the newest block, so each turn reads the conversation so far from the cache. A turn
 * that added 20 blocks or more since the last one's breakpoint (ten parallel tool calls and their results)
 * puts the newest one out of the lookback's reach, and the whole conversation would be written again: that
 * breakpoint is set again, so it is read. Added to the request only (the stored history keeps none), so the
 * prompt's two and these never exceed the API's four.
 */
function withMovingBreakpoint(messages: readonly MessageParam[]): MessageParam[] {
  if (messages.length < 2) return [...messages];
  const marked = [...messages];
  markLastBlock(marked, marked.length - 1);
  const added = blocksOf(messages.at(-2)).length + blocksOf(messages.at(-1)).length;
  if (messages.length >= 3 && added >= CACHE_LOOKBACK_BLOCKS) markLastBlock(marked, marked.length - 3);
  return marked;
}

const blocksOf = (message: MessageParam | undefined): ContentBlockParam[] =>
  !message
    ? []
    : typeof message.content === "string"
      ? [{ type: "text", text: message.content }]
      : [...message.content];

function markLastBlock(messages: MessageParam[], at: number): void {
  const message = messages[at];
  const blocks = blocksOf(message);
  const tail = blocks.at(-1);
  if (!message || !tail || tail.type === "thinking" || tail.type === "redacted_thinking") return;
  blocks[blocks.length - 1] = { ...tail, cache_control: { type: "ephemeral" } } as ContentBlockParam;
  messages[at] = { ...message, content: blocks } as MessageParam;
}
