import type { Message } from "@anthropic-ai/sdk/resources/messages/messages";
import { checkBudget, type Ledger } from "../domain/budget/budget.js";
import { costOf } from "../domain/budget/cost-of.js";
import type { Usage } from "../domain/budget/usage.js";
import type { AgentRole, AgentSettings, RepoConfig } from "../domain/config/repo-config.js";
import { SwarmError } from "../domain/errors.js";
import { withCacheTtl } from "./cache-ttl.js";
import type { LedgerStore } from "./ledger-store.js";
import { ModelCallError } from "./model-call-error.js";
import { requestHash } from "./replay-transport.js";
import { digestRequest } from "./trace/request-digest.js";
import type { TraceLine, TraceSink } from "./trace/trace-line.js";
import type { CallMeta, MessagesTransport, ModelRequest, RateLimitInfo } from "./types.js";

export type Caller = { role: AgentRole; nodeId?: string };

export type ModelResult = {
  message: Message;
  usage: Usage;
  costUsd: number;
  attempts: number;
  latencyMs: number;
  meta: CallMeta;
  ledger: Ledger;
};

export type ModelClient = {
  readonly runId: string;
  call(caller: Caller, request: ModelRequest): Promise<ModelResult>;
  /** Rate-limit headers of the latest answer, for a scheduler that wants to slow down. */
  readonly rateLimit: RateLimitInfo;
  /** What the run has used so far (tokens and USD by model and node). */
  readLedger(): Promise<Ledger>;
};

export type ModelClientOptions = {
  runId: string;
  transport: MessagesTransport;
  config: Pick<RepoConfig, "models" | "prices" | "limits"> & Partial<Pick<RepoConfig, "agents" | "cache">>;
  ledger: LedgerStore;
  trace?: TraceSink;
};

// Input is estimated at three characters a token, more than it usually takes, so the budget check errs
// towards stopping; output is counted at max_tokens, the most a call can produce.
const CHARS_PER_TOKEN_ESTIMATE = 3;

/**
 * Every agent's calls go through here: the model comes from the role, a call that could take the run past
 * its budget is refused before it is made, and each call's usage, cost and trace line are recorded.
 */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const { runId, transport, config, ledger, trace } = options;
  const turns = new Map<string, number>();
  let rateLimit: RateLimitInfo = {};

  return {
    runId,
    get rateLimit() {
      return rateLimit;
    },
    readLedger: () => ledger.read(),

    async call(caller, asked) {
      const model = config.models[caller.role];
      // `auto` is settled per run before its coders start (chooseCacheTtl); left here, the request's own
      // breakpoints stand (five minutes unless they say otherwise).
      const ttl = config.cache?.ttl;
      const request = withCacheTtl(
        withAgentSettings(asked, config.agents?.[caller.role]),
        ttl === "1h" ? "1h" : "5m",
      );
      const turnKey = `${caller.role}/${caller.nodeId ?? ""}`;
      const meta: CallMeta = {
        runId,
        role: caller.role,
        turn: turns.get(turnKey) ?? 0,
        ...(caller.nodeId ? { nodeId: caller.nodeId } : {}),
      };
      const { digest } = digestRequest(request);
      const line = (fields: Partial<TraceLine>): TraceLine => ({
        ts: new Date().toISOString(),
        run: runId,
        node: caller.nodeId ?? null,
        role: caller.role,
        model,
        turn: meta.turn,
        requestHash: requestHash(request),
        digest,
        request,
        response: null,
        usage: null,
        costUsd: 0,
        latencyMs: 0,
        attempts: 0,
        stopReason: null,
        rateLimit: {},
        error: null,
        ...fields,
      });

      const estimate: Usage = {
        inputTokens: Math.ceil(
          JSON.stringify([request.system, request.messages, request.tools]).length / CHARS_PER_TOKEN_ESTIMATE,
        ),
        outputTokens: request.max_tokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      };
      const budget = checkBudget(await ledger.read(), model, estimate, config.prices, config.limits);
      if (!budget.ok) {
        await trace?.write(line({ error: describe(budget.error) }));
        throw budget.error;
      }

      turns.set(turnKey, meta.turn + 1);
      const started = performance.now();
      try {
        const result = await transport.send({ ...request, model }, meta);
        const latencyMs = performance.now() - started;
        rateLimit = result.rateLimit;
        const usage = usageOf(result.message);
        const costUsd = costOf(model, usage, config.prices);
        const updated = await ledger.record(model, usage, caller.nodeId);
        await trace?.write(
          line({
            response: result.message,
            usage,
            costUsd,
            latencyMs,
            attempts: result.attempts,
            stopReason: result.message.stop_reason,
            rateLimit: result.rateLimit,
          }),
        );
        return {
          message: result.message,
          usage,
          costUsd,
          attempts: result.attempts,
          latencyMs,
          meta,
          ledger: updated,
        };
      } catch (error) {
        const attempts = error instanceof ModelCallError ? error.attempts : 1;
        await trace?.write(
          line({ latencyMs: performance.now() - started, attempts, error: describe(error) }),
        );
        throw error;
      }
    },
  };
}

/** The role's thinking settings on a request: effort in output_config (beside any format), thinking by type. */
export function withAgentSettings(request: ModelRequest, settings: AgentSettings | undefined): ModelRequest {
  if (!settings?.effort && !settings?.thinking) return request;
  return {
    ...request,
    ...(settings.effort ? { output_config: { ...request.output_config, effort: settings.effort } } : {}),
    ...(settings.thinking ? { thinking: { type: settings.thinking } } : {}),
  };
}

function usageOf(message: Message): Usage {
  const u = message.usage;
  return {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
    ...(u.cache_creation?.ephemeral_1h_input_tokens
      ? { cacheWrite1hTokens: u.cache_creation.ephemeral_1h_input_tokens }
      : {}),
  };
}

function describe(error: unknown): NonNullable<TraceLine["error"]> {
  if (error instanceof ModelCallError) {
    return {
      code: error.code,
      failure: error.failure,
      decision: error.decision,
      problem: error.problem,
      fix: error.fix,
    };
  }
  if (error instanceof SwarmError)
    return { code: error.code, decision: error.decision, problem: error.problem, fix: error.fix };
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: "internal",
    decision: "fail-node",
    problem: message,
    fix: "Report it with the run's trace.",
  };
}
