/**
 * The lines of each file a PR review may comment on: those in the diff's hunks on the new side (added or
 * context). GitHub refuses a review whose line comment points anywhere else.
 */
export function commentableLines(diff: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let lines: Set<number> | null = null;
  let next = 0;
  for (const line of diff.split("\n")) {
    if (line.startsWith("+++ ")) {
      const path = line.slice(4).replace(/^b\//, "");
      lines = path === "/dev/null" ? null : new Set();
      if (lines) out.set(path, lines);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      continue;
    }
    if (!lines || line.startsWith("--- ") || line.startsWith("diff ") || line.startsWith("\\")) continue;
    if (line.startsWith("+") || line.startsWith(" ")) lines.add(next++);
  }
  return out;
}
