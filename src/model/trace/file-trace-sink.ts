import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { redactSecrets } from "../../domain/security/redact-secrets.js";
import type { TraceLine, TraceSink } from "./trace-line.js";

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

export async function readTrace(path: string): Promise<TraceLine[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as TraceLine;
      } catch {
        throw new Error(`${path}:${i + 1}: not a JSON line; the trace is damaged`);
      }
    });
}
