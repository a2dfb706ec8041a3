/** One line of a hunk, with its line number on each side it is on. */
export type DiffLine = {
  kind: "+" | "-" | " ";
  text: string;
  oldLine: number | null;
  newLine: number | null;
};

export type Hunk = {
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
  /** The hunk's text as it was and as it is: the whole file when the diff was made with whole-file context. */
  oldText: string;
  newText: string;
};

export type FileDiff = {
  /** Null for a file the diff adds (old) or deletes (new). */
  oldPath: string | null;
  newPath: string | null;
  binary: boolean;
  hunks: Hunk[];
};

/**
 * A unified diff (`git diff`) as files and hunks, renames and binary files included. Hunks keep both
 * sides' line numbers, so a finding on either side can be placed on the PR's version of the file.
 */
export function parseDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let hunk: Hunk | null = null;
  let oldLine = 0;
  let newLine = 0;
  const close = () => {
    if (!hunk) return;
    hunk.oldText = hunk.lines
      .filter((l) => l.kind !== "+")
      .map((l) => l.text)
      .join("\n");
    hunk.newText = hunk.lines
      .filter((l) => l.kind !== "-")
      .map((l) => l.text)
      .join("\n");
    hunk = null;
  };
  const rows = diff.split("\n");
  // The diff's last newline ends its last line; it is not an empty context line.
  if (rows.at(-1) === "") rows.pop();
  for (const line of rows) {
    const header = /^diff --git a\/(.*) b\/(.*)$/.exec(line);
    if (header) {
      close();
      file = { oldPath: header[1] ?? null, newPath: header[2] ?? null, binary: false, hunks: [] };
      files.push(file);
      continue;
    }
    if (!file) continue;
    const start = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (start) {
      close();
      oldLine = Number(start[1]);
      newLine = Number(start[2]);
      hunk = { oldStart: oldLine, newStart: newLine, lines: [], oldText: "", newText: "" };
      file.hunks.push(hunk);
      continue;
    }
    if (!hunk) {
      if (line.startsWith("--- ")) file.oldPath = line === "--- /dev/null" ? null : line.slice(6);
      else if (line.startsWith("+++ ")) file.newPath = line === "+++ /dev/null" ? null : line.slice(6);
      else if (line.startsWith("new file mode")) file.oldPath = null;
      else if (line.startsWith("deleted file mode")) file.newPath = null;
      else if (line.startsWith("rename from ")) file.oldPath = line.slice(12);
      else if (line.startsWith("rename to ")) file.newPath = line.slice(10);
      else if (line.startsWith("Binary files ")) file.binary = true;
      continue;
    }
    if (line.startsWith("\\")) continue;
    const kind = line[0];
    if (kind === "+") hunk.lines.push({ kind, text: line.slice(1), oldLine: null, newLine: newLine++ });
    else if (kind === "-") hunk.lines.push({ kind, text: line.slice(1), oldLine: oldLine++, newLine: null });
    else if (kind === " " || line === "")
      hunk.lines.push({ kind: " ", text: line.slice(1), oldLine: oldLine++, newLine: newLine++ });
  }
  close();
  return files;
}
