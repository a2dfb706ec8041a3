import { createHash } from "node:crypto";
import { ModelCallError } from "./model-call-error.js";
import type { TraceLine } from "./trace/trace-line.js";
import type { MessagesTransport } from "./types.js";

export type ReplayTransport = MessagesTransport & {
  /** Calls whose request differs from the recorded one (the prompts or code changed since). */
  readonly mismatches: number;
};

/**
 * Answers from a recorded trace instead of the API, matching each call by role, node and turn, so a traced
 * run re-runs deterministically offline. With `strict`, a call whose request differs from the recording fails.
 */
export function createReplayTransport(
  lines: readonly TraceLine[],
  options: { strict?: boolean } = {},
): ReplayTransport {
  const byKey = new Map<string, TraceLine>();
  for (const line of lines) {
    if (line.error?.code === "budget-exceeded") continue; // refused before any call was made
    byKey.set(key(line.role, line.node, line.turn), line);
  }
  let mismatches = 0;
  return {
    get mismatches() {
      return mismatches;
    },
    async send(params, meta) {
      const where = `the ${meta.role}${meta.nodeId ? ` of node "${meta.nodeId}"` : ""}, turn ${meta.turn}`;
      const line = byKey.get(key(meta.role, meta.nodeId ?? null, meta.turn));
      if (!line) {
        throw new ModelCallError("replay-miss", "tell-user", 0, {
          problem: `The trace has no call for ${where}.`,
          fix: "Replay a trace recorded from the same spec and settings, or run without --replay.",
        });
      }
      const { model: _model, ...request } = params;
      if (requestHash(request) !== line.requestHash) {
        mismatches++;
        if (options.strict) {
          throw new ModelCallError("replay-miss", "tell-user", 0, {
            problem: `The request for ${where} differs from the recorded one.`,
            fix: "Record the trace again: the prompts or the code changed since it was made.",
          });
        }
      }
      if (line.error) {
        const decision = line.error.decision;
        const failure = (line.error.failure ?? "unknown") as ConstructorParameters<typeof ModelCallError>[0];
        throw new ModelCallError(failure, decision, line.attempts, {
          problem: line.error.problem,
          fix: line.error.fix,
        });
      }
      if (!line.response) throw new Error(`trace line for ${where} has neither a response nor an error`);
      return { message: line.response, attempts: line.attempts, rateLimit: line.rateLimit };
    },
  };
}

export function requestHash(request: unknown): string {
  return createHash("sha256").update(JSON.stringify(request)).digest("hex");
}

function key(role: string, node: string | null, turn: number): string {
  return `${role}\u0000${node ?? ""}\u0000${turn}`;
}
