import type { Failure } from "../../domain/checks/check-run.js";

/** One thing that failed, where it is: what agents read besides the raw output. */
export type StructuredFailure = Failure;

/** Paths inside the sandbox start with /workspace; agents work with paths relative to the repository. */
export function relativePath(path: string, root = "/workspace"): string {
  const clean = path.replace(/^file:\/\//, "");
  return clean.startsWith(`${root}/`) ? clean.slice(root.length + 1) : clean.replace(/^\.\//, "");
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with the ESC character.
const ANSI = /\x1b\[[0-9;]*m/g;

/** Output without terminal colour codes, which test runners add even when piped. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** The first `n` lines of a message, trimmed, with a note when more were left out. */
export function firstLines(text: string, n = 12): string {
  const lines = stripAnsi(text).trim().split("\n");
  return lines.length <= n
    ? lines.join("\n")
    : `${lines.slice(0, n).join("\n")}\n… (${lines.length - n} more lines)`;
}
