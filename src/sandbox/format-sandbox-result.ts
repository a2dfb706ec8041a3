import type { StructuredFailure } from "./parse/structured-failure.js";
import type { SandboxResult } from "./sandbox-types.js";

/** The result of a sandboxed command as a person reads it in a terminal. */
export function formatSandboxResult(
  command: string,
  r: SandboxResult,
  failures: readonly StructuredFailure[],
): string {
  const outcome = r.exitCode !== null ? `exit ${r.exitCode}` : `killed by ${r.signal ?? "a signal"}`;
  const lines = [
    `$ ${command}`,
    `${outcome} after ${(r.durationMs / 1000).toFixed(2)} s; limits hit: ${r.limitsHit.join(", ") || "none"}${r.truncated ? "; output cut to its start and end" : ""}`,
    `limits enforced: ${Object.entries(r.limitsEnforced)
      .map(([limit, how]) => `${limit} (${how})`)
      .join(", ")}`,
  ];
  if (r.stdoutTail.trim()) lines.push("--- stdout ---", r.stdoutTail.trimEnd());
  if (r.stderrTail.trim()) lines.push("--- stderr ---", r.stderrTail.trimEnd());
  lines.push(
    failures.length === 0
      ? "no failures found in the output"
      : `${failures.length} failure${failures.length === 1 ? "" : "s"}:`,
  );
  for (const f of failures) {
    const at = [f.file, f.line, f.column].filter((x) => x !== null).join(":");
    lines.push(`  ${at}  ${f.kind}  ${f.message.split("\n")[0]}`);
  }
  return lines.join("\n");
}
