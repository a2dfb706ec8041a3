/** One thing that failed, where it is: what agents read instead of raw logs. */
export type StructuredFailure = {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  kind: "type-error" | "test-failure" | "lint-error" | "error";
};

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
