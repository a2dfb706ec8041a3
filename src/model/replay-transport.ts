import { createHash } from "node:crypto";
import { redactSecrets } from "../domain/security/redact-secrets.js";
import { ModelCallError } from "./model-call-error.js";
import type { RecordedCall, RequestDigest } from "./trace/recorded-call.js";
import { digestRequest } from "./trace/request-digest.js";
import type { CallMeta, MessagesTransport } from "./types.js";

export type ReplayTransport = MessagesTransport & {
  /**
   * The first call that did not match the trace (another spec, repository or settings, or a trace that
   * ends before the run does). Every later call fails with it too, and the entry point ends the run on it.
   */
  readonly miss: ModelCallError | undefined;
  /** Calls of a trace without digests or requests whose whole-request hash differs (they cannot be checked). */
  readonly mismatches: number;
};

const FIX =
  "Replay a trace recorded from this spec, repository and settings, or run without --replay with ANTHROPIC_API_KEY set (the run's folder then holds a trace.jsonl to replay later). The demo's trace is recorded again with `npm run demo:record`.";

/**
 * Answers from a recorded trace instead of the API, matching each call by role, node and turn, so a traced
 * run re-runs deterministically offline. Each call's request must match the recorded digest (system prompt,
 * tools, output format, settings, the agent's task and the length of its conversation; see digestRequest):
 * the first that does not fails, naming the call and what differed, so answers recorded for another run are
 * never played onto this one. A line without a digest is checked against the digest of its stored request;
 * a line with neither (traces from before digests) can only be counted in `mismatches`.
 */
export function createReplayTransport(
  lines: readonly RecordedCall[],
  options: { source?: string; knownSecrets?: readonly string[] } = {},
): ReplayTransport {
  const byKey = new Map<string, RecordedCall>();
  // The text of each recorded task by its hash, to show where this run's task differs from it.
  const tasks = new Map<string, string>();
  for (const line of lines) {
    if (line.error?.code === "budget-exceeded") continue; // refused before any call was made
    byKey.set(key(line.role, line.node, line.turn), line);
    const recorded = line.request ? digestRequest(line.request) : undefined;
    const task = line.task ?? recorded?.task;
    const hash = line.digest?.task ?? recorded?.digest.task;
    if (task !== undefined && hash !== undefined && !tasks.has(hash)) tasks.set(hash, task);
  }
  const trace = options.source ? `The trace ${options.source}` : "The trace";
  const redact = (text: string) => redactSecrets(text, options.knownSecrets ?? []);
  let miss: ModelCallError | undefined;
  let mismatches = 0;
  const fail = (problem: string, details: string[] = []) => {
    miss = new ModelCallError("replay-miss", "tell-user", 0, { problem, fix: FIX, details });
    return miss;
  };
  return {
    get miss() {
      return miss;
    },
    get mismatches() {
      return mismatches;
    },
    async send(params, meta) {
      if (miss) throw miss;
      const where = callName(meta);
      const line = byKey.get(key(meta.role, meta.nodeId ?? null, meta.turn));
      if (!line)
        throw fail(
          `${trace} has no call for ${where}: it ends before this run does (it holds ${lines.length} call${lines.length === 1 ? "" : "s"}), so it was recorded from a run that went differently.`,
        );
      const { model, ...request } = params;
      const here = digestRequest(request);
      const recorded = line.digest ?? (line.request ? digestRequest(line.request).digest : undefined);
      if (recorded) {
        const differences = [
          ...(line.model !== model ? [`the model differs: recorded ${line.model}, here ${model}`] : []),
          ...compare(recorded, here, tasks, redact),
        ];
        if (differences.length > 0)
          throw fail(
            `${trace} does not match this run: the request for ${where} differs from the recorded one, so its answers were recorded for another spec, repository or settings.`,
            differences,
          );
      } else if (line.requestHash === undefined || requestHash(request) !== line.requestHash) {
        // Recorded before digests, with no request kept: only the whole request's hash can tell, and it
        // cannot say what differed. A line that cannot be checked at all is never trusted.
        mismatches++;
        throw fail(
          line.requestHash === undefined
            ? `${trace} cannot be checked against this run: its line for ${where} has no digest, request or hash.`
            : `${trace} does not match this run: the request for ${where} differs from the recorded one (the trace was made before swarm kept digests, so it cannot say what differed).`,
        );
      }
      if (line.error) {
        const failure = (line.error.failure ?? "unknown") as ConstructorParameters<typeof ModelCallError>[0];
        throw new ModelCallError(failure, line.error.decision, line.attempts, {
          problem: line.error.problem,
          fix: line.error.fix,
        });
      }
      if (!line.response)
        throw fail(`${trace} has a line for ${where} with neither a response nor an error.`);
      return { message: line.response, attempts: line.attempts, rateLimit: line.rateLimit };
    },
  };
}

/** sha256 of the whole request: what traces recorded before digests carry. */
export function requestHash(request: unknown): string {
  return createHash("sha256").update(JSON.stringify(request)).digest("hex");
}

/** "the planner, turn 0", "the coder of node `store`, turn 3": the turn as the trace numbers it. */
function callName(meta: CallMeta): string {
  return `the ${meta.role}${meta.nodeId ? ` of node \`${meta.nodeId}\`` : ""}, turn ${meta.turn}`;
}

/** What differs between the recorded digest and this request's, the task first (it says the most). */
function compare(
  recorded: RequestDigest,
  here: ReturnType<typeof digestRequest>,
  tasks: ReadonlyMap<string, string>,
  redact: (text: string) => string,
): string[] {
  const now = here.digest;
  const out: string[] = [];
  if (recorded.task !== now.task) {
    const was = tasks.get(recorded.task);
    out.push(
      was === undefined
        ? `the task (the agent's first message) differs; the trace keeps no text of it to compare, and here it begins ${quote(redact(here.task.slice(0, 100)), here.task.length > 100)}`
        : `the task (the agent's first message) differs: ${firstDifference(was, here.task, redact)}`,
    );
  }
  if (recorded.system !== now.system)
    out.push("the system prompt differs (another version of swarm's prompts)");
  if (recorded.toolsHash !== now.toolsHash)
    out.push(
      recorded.tools.join() === now.tools.join()
        ? `the tools' definitions differ (the same tools: [${now.tools.join(", ")}])`
        : `the tools differ: recorded [${recorded.tools.join(", ")}], here [${now.tools.join(", ")}]`,
    );
  if (recorded.format !== now.format) out.push("the output format (its JSON schema) differs");
  const settings = [JSON.stringify(recorded.settings), JSON.stringify(now.settings)];
  if (settings[0] !== settings[1])
    out.push(`the settings differ: recorded ${settings[0]}, here ${settings[1]}`);
  if (recorded.messages !== now.messages)
    out.push(
      `the conversation differs: recorded with ${recorded.messages} messages so far, here ${now.messages}`,
    );
  return out;
}

/** `recorded "…x…" here "…y…"`: about 120 characters of each around the first character that differs. */
function firstDifference(recorded: string, current: string, redact: (text: string) => string): string {
  // Redacted whole before it is cut, so a secret is never shown in part at the edge of an excerpt.
  const was = redact(recorded);
  const now = redact(current);
  let at = 0;
  while (at < was.length && at < now.length && was[at] === now[at]) at++;
  const from = Math.max(0, at - 40);
  const part = (text: string) => quote(text.slice(from, from + 120), from + 120 < text.length, from > 0);
  return `recorded ${part(was)}, here ${part(now)}`;
}

function quote(text: string, more: boolean, less = false): string {
  return JSON.stringify(`${less ? "…" : ""}${text}${more ? "…" : ""}`);
}

function key(role: string, node: string | null, turn: number): string {
  return `${role}\u0000${node ?? ""}\u0000${turn}`;
}
