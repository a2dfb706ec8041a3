import { BAD_INPUT_CODES, SwarmError } from "../domain/errors.js";
import { redactSecrets, secretsFromEnv } from "../domain/security/redact-secrets.js";
import { terminalText } from "./terminal-text.js";

/** Exit codes of the CLI: 0 done (green), 1 the run or the command failed, 2 bad input, 3 not verified. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, notVerified: 3 } as const;

export function debugging(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.SWARM_DEBUG === "1" || env.SWARM_DEBUG === "true";
}

/**
 * The one place that tells the terminal why a command stopped: the problem and its fix, as plain text, and
 * the exit code to end with (2 for bad input, 1 otherwise). An error swarm did not foresee still says what
 * happened in one line (redacted); its stack is shown with --debug or SWARM_DEBUG=1.
 */
export function explainFailure(
  error: unknown,
  command: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { text: string; exitCode: number } {
  const debug = debugging(env) && error instanceof Error ? `\n\n${redact(error.stack ?? "", env)}` : "";
  if (error instanceof SwarmError) {
    const lines = [`${command}: ${terminalText(error.problem, command)}`];
    // Details that bring their own indentation (a config problem's fix) keep it; others are a list.
    for (const detail of error.details)
      lines.push(/^\s/.test(detail) ? `    ${detail}` : `    - ${terminalText(detail, command)}`);
    lines.push(`    fix: ${terminalText(error.fix, command)}`);
    return {
      text: `${lines.join("\n")}${debug}`,
      exitCode: BAD_INPUT_CODES.has(error.code) ? EXIT.badInput : EXIT.failed,
    };
  }
  const what =
    error instanceof Error
      ? `${error.name}: ${firstLine(error.message)}`
      : `${typeof error}: ${String(error)}`;
  return {
    text: [
      `${command} stopped on an error swarm did not expect: ${redact(what, env)}`,
      debug
        ? debug.trimStart()
        : "    run it again with --debug (or SWARM_DEBUG=1) to see where, and report it with that output.",
    ].join("\n"),
    exitCode: EXIT.failed,
  };
}

/** Writes the explanation to stderr and sets the exit code. */
export function failCli(error: unknown, command: string): void {
  const { text, exitCode } = explainFailure(error, command);
  process.stderr.write(`${text}\n`);
  process.exitCode = exitCode;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function redact(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return redactSecrets(text, secretsFromEnv(env));
}
