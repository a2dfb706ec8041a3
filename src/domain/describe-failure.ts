import { SwarmError } from "./errors.js";

/**
 * The one place that turns a failure into Markdown for the user (an issue comment, a PR comment, the
 * terminal). Unknown errors are described without their message, which could hold secrets or paths.
 */
export function describeFailure(error: unknown, what = "swarm"): string {
  if (!(error instanceof SwarmError)) {
    const name = error instanceof Error ? error.name : typeof error;
    return [
      `**${what} stopped on an internal error** (${name}).`,
      "",
      "**Fix:** comment `/swarm retry` to try again. If it happens again, report it with the run's logs.",
    ].join("\n");
  }
  const lines = [`**${what}: ${error.problem}**`, ""];
  for (const detail of error.details) lines.push(`- ${detail}`);
  if (error.details.length > 0) lines.push("");
  lines.push(`**Fix:** ${error.fix}`);
  return lines.join("\n");
}
