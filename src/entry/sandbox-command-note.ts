import type { SandboxResult } from "../sandbox/sandbox-types.js";

/**
 * What `swarm sandbox` adds on stderr when the shell could not start the program (exit 127: not found; 126:
 * not executable), with the fix; null otherwise. The name comes from the shell's own words when it said them.
 */
export function sandboxCommandNote(words: readonly string[], result: SandboxResult): string | null {
  const program = words[0]?.trim().split(/\s+/)[0] ?? "";
  const said = (pattern: RegExp) => pattern.exec(result.stderrTail)?.[1] ?? program;
  if (result.exitCode === 127) {
    // dash: `sh: 1: x: not found`; bash: `bash: line 1: x: command not found`.
    const name = said(/([^\s:]+): (?:command )?not found/);
    return [
      `swarm sandbox: command not found: ${name} (exit 127)`,
      "    fix: check its spelling; inside the sandbox PATH holds Node's folder, /usr/local/bin, /usr/bin and /bin, so run a package's program with npx (npx vitest) or by its path (./node_modules/.bin/vitest)",
    ].join("\n");
  }
  if (result.exitCode === 126) {
    const name = said(/([^\s:]+): Permission denied/);
    return [
      `swarm sandbox: ${name} cannot be run: it is not executable, or is a folder (exit 126)`,
      `    fix: make it executable (chmod +x ${name}), or run it through its interpreter (sh ${name}, node ${name})`,
    ].join("\n");
  }
  return null;
}
