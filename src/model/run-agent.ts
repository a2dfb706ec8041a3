import { zodOutputFormat } from "@anthropic-ai/sdk/helpers/zod";
import type {
  ContentBlockParam,
  MessageParam,
  Tool,
  ToolResultBlockParam,
  ToolUseBlock,
} from "@anthropic-ai/sdk/resources/messages/messages";
import type { z } from "zod";
import { addUsage, NO_USAGE, totalTokens, type Usage } from "../domain/budget/usage.js";
import type { Caller, ModelClient } from "./model-client.js";
import type { Prompt } from "./prompt/build-prompt.js";

export type ToolOutcome = { content: string; isError?: boolean };

export type AgentTool<I = never> = {
  name: string;
  description: string;
  input: z.ZodType<I>;
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
  | "max-turns"
  | "token-limit"
  | "cost-limit"
  | "cancelled"
  | "refused"
  | "output-cut-off";

export type AgentResult = {
  stop: AgentStop;
  turns: number;
  toolCalls: number;
  finalText: string;
  usage: Usage;
  costUsd: number;
  messages: MessageParam[];
};

/**
 * The tool-use loop: call the model, run the tools it asks for (inputs validated with zod; failures are
 * returned to the model as errors it can fix), feed the results back, until it stops asking or a limit is
 * reached. `shouldStop` is checked before every turn, so a cancelled run stops at the next turn.
 */
export async function runAgent(
  client: ModelClient,
  options: {
    caller: Caller;
    prompt: Prompt;
    tools: readonly AgentTool<never>[];
    limits: AgentLimits;
    shouldStop?: () => boolean | Promise<boolean>;
  },
): Promise<AgentResult> {
  const { caller, prompt, tools, limits } = options;
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const definitions: Tool[] = tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: zodOutputFormat(tool.input).schema as Tool.InputSchema,
    strict: true,
  }));
  const messages: MessageParam[] = [...prompt.messages];
  let usage = NO_USAGE;
  let costUsd = 0;
  let toolCalls = 0;
  let finalText = "";
  const result = (stop: AgentStop, turns: number): AgentResult => ({
    stop,
    turns,
    toolCalls,
    finalText,
    usage,
    costUsd,
    messages,
  });

  for (let turn = 0; turn < limits.maxTurns; turn++) {
    if (await options.shouldStop?.()) return result("cancelled", turn);
    if (limits.maxTokens !== undefined && totalTokens(usage) >= limits.maxTokens)
      return result("token-limit", turn);
    if (limits.maxUsd !== undefined && costUsd >= limits.maxUsd) return result("cost-limit", turn);

    const reply = await client.call(caller, {
      system: prompt.system,
      messages: withMovingBreakpoint(messages),
      tools: definitions,
      max_tokens: limits.maxOutputTokensPerTurn,
    });
    usage = addUsage(usage, reply.usage);
    costUsd += reply.costUsd;
    const content = reply.message.content;
    messages.push({ role: "assistant", content: content as ContentBlockParam[] });
    finalText = content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n");

    if (reply.message.stop_reason === "refusal") return result("refused", turn + 1);
    const uses = content.filter((b): b is ToolUseBlock => b.type === "tool_use");
    if (reply.message.stop_reason === "max_tokens" && uses.length === 0)
      return result("output-cut-off", turn + 1);
    if (uses.length === 0) return result("done", turn + 1);

    const results: ToolResultBlockParam[] = [];
    for (const use of uses) {
      toolCalls++;
      const outcome = await runTool(byName.get(use.name), use);
      results.push({
        type: "tool_result",
        tool_use_id: use.id,
        content: outcome.content,
        ...(outcome.isError ? { is_error: true } : {}),
      });
    }
    messages.push({ role: "user", content: results });
  }
  return result("max-turns", limits.maxTurns);
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

/**
 * A cache breakpoint on the newest block, so each turn reads the conversation so far from the cache. It is
 * added to the request only (the stored history keeps none), so the breakpoints never exceed the API's four.
 */
function withMovingBreakpoint(messages: readonly MessageParam[]): MessageParam[] {
  const last = messages.at(-1);
  if (!last || messages.length < 2) return [...messages];
  const blocks: ContentBlockParam[] =
    typeof last.content === "string" ? [{ type: "text", text: last.content }] : [...last.content];
  const tail = blocks.at(-1);
  if (tail && tail.type !== "thinking" && tail.type !== "redacted_thinking") {
    blocks[blocks.length - 1] = { ...tail, cache_control: { type: "ephemeral" } } as ContentBlockParam;
  }
  return [...messages.slice(0, -1), { ...last, content: blocks } as MessageParam];
}
