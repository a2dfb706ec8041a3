import { EXIT } from "./cli-failure.js";
import type { LocalRunResult } from "./run-locally.js";
import { shellQuote, terminalText } from "./terminal-text.js";

/**
 * The last thing `swarm run` prints, and its exit code: the verdict (green, not verified, or why not), each
 * reason once, where the result is with a command that can be pasted as is, and the report.
 */
export function runSummary(result: LocalRunResult): { text: string; exitCode: number } {
  const green = result.status === "green";
  const unverified = result.status === "unverified";
  const headline = terminalText(result.headline);
  const verdict = green ? "✔ green" : unverified ? "⚠ not verified" : `✘ ${result.status}`;
  // Why it is not green, as swarm said it on the spec (a pull request comment on GitHub), each once.
  const seen = new Set([headline]);
  const reasons: string[] = [];
  for (const note of green ? [] : result.notes) {
    const text = terminalText(note);
    if (text === "" || seen.has(text)) continue;
    seen.add(text);
    reasons.push("", text);
  }
  const repo = shellQuote(result.repoDir);
  const lines = [
    "",
    `${verdict}: ${headline}`,
    ...reasons,
    ...(result.branch
      ? [
          `  result: branch ${result.branch} in ${result.repoDir}`,
          `  see it: git -C ${repo} diff ${shellQuote(`${result.base}...${result.branch}`)}`,
        ]
      : []),
    `  report: ${result.report.markdown}`,
    `          ${result.report.html}`,
    "",
  ];
  return {
    text: lines.join("\n"),
    exitCode: green ? EXIT.ok : unverified ? EXIT.notVerified : EXIT.failed,
  };
}
