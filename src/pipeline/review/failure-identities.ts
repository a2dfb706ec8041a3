import { createHash } from "node:crypto";
import { normaliseMessage } from "../../domain/checks/compare-to-baseline.js";
import type { CheckResult } from "../forge.js";

export type FailureIdentity = { id: string; text: string };

/**
 * The identity of each failure in failed checks, the same across commits: the check, the file, the test and
 * the normalised first line of the message (no line numbers, timings or temporary paths). A check with no
 * annotations is one failure, named by the last line of its log or summary. Kept short (a hash) in the
 * dashboard marker, with a readable text for the comment that says what came back.
 */
export function failureIdentities(failed: readonly CheckResult[]): FailureIdentity[] {
  const out = new Map<string, FailureIdentity>();
  for (const check of failed) {
    const parts =
      check.annotations.length > 0
        ? check.annotations.map((a) => ({
            key: [check.name, a.path, a.title ?? "", normaliseMessage(a.message.split("\n")[0] ?? "")],
            text: `${check.name}: \`${a.path}\` ${a.title ? `${a.title}: ` : ""}${a.message.split("\n")[0] ?? ""}`,
          }))
        : [
            {
              key: [
                check.name,
                normaliseMessage(lastLine(check.logTail ?? check.summary ?? check.title ?? "")),
              ],
              text: `${check.name}: ${lastLine(check.logTail ?? check.summary ?? check.title ?? "") || check.conclusion}`,
            },
          ];
    for (const { key, text } of parts) {
      const id = createHash("sha256").update(key.join("\u0000")).digest("hex").slice(0, 16);
      if (!out.has(id)) out.set(id, { id, text: text.slice(0, 300) });
    }
  }
  return [...out.values()];
}

function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ""
  );
}
