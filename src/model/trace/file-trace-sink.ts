import { appendFile, mkdir, readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { z } from "zod";
import { InputError } from "../../domain/errors.js";
import { redactSecrets } from "../../domain/security/redact-secrets.js";
import { type RecordedCall, RecordedCallSchema } from "./recorded-call.js";
import type { TraceSink } from "./trace-line.js";

/**
 * Appends one JSON line per call to `path` (normally `<run folder>/trace.jsonl`). Lines are redacted as
 * text, after serialisation, so a secret is caught wherever it sits in the request or the response.
 */
export function createFileTraceSink(path: string, knownSecrets: readonly string[]): TraceSink {
  let queue: Promise<void> = mkdir(dirname(path), { recursive: true }).then(() => undefined);
  return {
    write(line) {
      const text = `${redactSecrets(JSON.stringify(line), knownSecrets)}\n`;
      // Chained, so lines keep the order of the calls even when writes overlap.
      queue = queue.then(() => appendFile(path, text, "utf8"));
      return queue;
    },
  };
}

const RECORD_AGAIN =
  "Replay a trace.jsonl that a run wrote (each run's folder holds one: under .git/swarm/runs of the repository, or SWARM_RUNS_DIR), or record one by running with ANTHROPIC_API_KEY set; the demo's own trace is recorded again with `npm run demo:record`.";

/**
 * The calls of a recorded trace, each line checked, so a replay never starts on a damaged file: a file that
 * is missing, a folder, empty, binary, cut off, or holds a line that is not a trace line is an InputError
 * that names the file, the line and what to do.
 */
export async function readTrace(path: string): Promise<RecordedCall[]> {
  const bad = (problem: string, fix: string) =>
    new InputError({ problem: `The trace ${path} ${problem}`, fix });
  const bytes = await readTraceFile(path);
  const text = bytes.toString("utf8");
  // A NUL byte, or bytes that are not UTF-8: an archive, an image, a database; not a trace.jsonl.
  if (bytes.includes(0) || text.includes("\uFFFD"))
    throw bad("is not text (it holds binary data), so it is not a trace.jsonl.", RECORD_AGAIN);
  const numbered = text
    .split("\n")
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim() !== "");
  if (numbered.length === 0)
    throw bad(
      "is empty: it holds no model calls.",
      `A run stopped before its first model call leaves an empty trace. ${RECORD_AGAIN}`,
    );
  const last = numbered.at(-1)?.n;
  return numbered.map(({ line, n }) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      // A cut-off last line is what a run stopped in the middle of a write leaves; the calls before it are whole.
      if (n === last)
        throw bad(
          `is truncated at line ${n}: the line ends before its JSON does (the run that wrote it was probably stopped mid-write).`,
          `Delete line ${n} to replay the calls before it, or record the trace again. ${RECORD_AGAIN}`,
        );
      throw bad(
        `is damaged at line ${n}: the line is not JSON (${cut(error instanceof Error ? error.message : String(error))}).`,
        `Each line of a trace.jsonl is one JSON object, one per model call; this file is not one, or was edited. ${RECORD_AGAIN}`,
      );
    }
    const parsed = RecordedCallSchema.safeParse(json);
    if (!parsed.success)
      throw bad(
        `is not a swarm trace: line ${n} is not a trace line: ${issueOf(json, parsed.error)}.`,
        `Pass --replay a trace.jsonl written by swarm: one JSON object per model call, with its role, node, turn, model and response. ${RECORD_AGAIN}`,
      );
    return parsed.data;
  });
}

async function readTraceFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new InputError({
        problem: `The trace file ${path} does not exist.`,
        fix: `Check the path given to --replay. ${RECORD_AGAIN}`,
      });
    if (code === "EISDIR") {
      const inside = (await readdir(path).catch((): string[] => [])).includes("trace.jsonl");
      throw new InputError({
        problem: `The trace ${path} is a folder, not a trace file.`,
        fix: inside
          ? `Pass --replay the trace inside it: ${join(path, "trace.jsonl")}.`
          : `Pass --replay a trace.jsonl file, not a folder. ${RECORD_AGAIN}`,
      });
    }
    if (code === "EACCES" || code === "EPERM")
      throw new InputError({
        problem: `The trace ${path} cannot be read: permission denied.`,
        fix: "Give yourself read access to it (chmod u+r), or replay a copy you can read.",
      });
    throw error;
  }
}

/** The first problem zod found, in words: `role is missing`, `turn: expected number, got string`. */
function issueOf(json: unknown, error: z.ZodError): string {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    return `it is ${Array.isArray(json) ? "an array" : json === null ? "null" : `a ${typeof json}`}, not a JSON object`;
  const issue = error.issues[0];
  if (!issue) return "it does not have the fields of a trace line";
  const field = issue.path.join(".") || "the line";
  const value = issue.path.reduce<unknown>(
    (v, key) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined),
    json,
  );
  if (value === undefined) return `${field} is missing`;
  return `${field} ${issue.message.replace(/^Invalid input: /, "")} (it is ${cut(JSON.stringify(value) ?? String(value))})`;
}

function cut(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
