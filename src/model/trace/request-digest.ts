import { createHash } from "node:crypto";
import type { ModelRequest } from "../types.js";
import type { RequestDigest } from "./recorded-call.js";

// What a trace line records of its request (`RequestDigest`, in recorded-call.ts), so a replay can tell a run
// that asks the same things from one that does not (another spec, repository, settings or version of swarm).
// The whole request cannot serve: tool results carry real command output (timings, versions), so two runs of
// the same spec differ there. Measured on the demo replayed twice: the system prompt, the tools, the settings
// and each agent's first message were byte-identical except inside `<check-log>` (test durations, clock
// times), which the task therefore leaves out; the conversation after the first message is only counted.

/** The request's digest, and its task text (normalised as hashed) for showing where two tasks differ. */
export function digestRequest(request: ModelRequest): { digest: RequestDigest; task: string } {
  const { system, tools, messages, output_config, ...rest } = request;
  const { format, ...outputRest } = output_config ?? {};
  const settings: Record<string, unknown> = {
    ...rest,
    ...(Object.keys(outputRest).length > 0 ? { output_config: outputRest } : {}),
  };
  const task = taskText(messages[0]?.content);
  return {
    task,
    digest: {
      system: hash(system ?? null),
      tools: (tools ?? []).map((t) => ("name" in t ? t.name : t.type)),
      toolsHash: hash(tools ?? []),
      format: format ? hash(format) : null,
      settings: sorted(settings) as Record<string, unknown>,
      task: hash(task),
      messages: messages.length,
    },
  };
}

function taskText(content: ModelRequest["messages"][number]["content"] | undefined): string {
  if (content === undefined) return "";
  const text =
    typeof content === "string"
      ? content
      : content.map((b) => (b.type === "text" ? b.text : JSON.stringify({ ...b, cache_control: undefined })));
  // Command output inside a check log differs from run to run (durations, clock times, versions of tools
  // on the machine); the task is what the agent is asked, so the log's body is left out. The tag stays, so
  // a task with a log still differs from one without.
  return (typeof text === "string" ? text : text.join("\n")).replace(
    /<check-log>[\s\S]*?<\/check-log>/g,
    "<check-log>…</check-log>",
  );
}

function hash(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(value) ?? "")
    .digest("hex")
    .slice(0, 16);
}

/** Keys in order, so the same settings compare equal whatever order they were built in. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sorted(v)]),
  );
}
