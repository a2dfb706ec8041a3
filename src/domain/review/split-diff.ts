export type FileDiff = {
  path: string;
  /** The path before a rename. */
  from?: string;
  change: "added" | "deleted" | "modified" | "renamed" | "binary";
  added: number;
  removed: number;
  /** The file's section of the unified diff, each row with its line in the PR's version (null for `-` rows and headers). */
  rows: { line: number | null; text: string }[];
};

/** A unified diff (`git diff`) split by file, with its added and removed lines counted. */
export function splitDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | null = null;
  let next = 0;
  let inHunk = false;
  for (const row of diff.split("\n")) {
    if (row.startsWith("diff --git ")) {
      const paths = /^diff --git "?a\/(.+?)"? "?b\/(.+?)"?$/.exec(row);
      file = { path: paths?.[2] ?? row.slice(11), change: "modified", added: 0, removed: 0, rows: [] };
      files.push(file);
      inHunk = false;
    }
    if (!file) continue;
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(row);
    if (hunk) {
      inHunk = true;
      next = Number(hunk[1]);
      file.rows.push({ line: null, text: row });
      continue;
    }
    if (!inHunk) {
      if (row.startsWith("new file mode")) file.change = "added";
      else if (row.startsWith("deleted file mode")) file.change = "deleted";
      else if (row.startsWith("rename from ")) {
        file.from = row.slice(12);
        file.change = "renamed";
      } else if (row.startsWith("rename to ")) file.path = row.slice(10);
      else if (row.startsWith("+++ b/")) file.path = row.slice(6);
      else if (row.startsWith("Binary files ")) file.change = "binary";
      file.rows.push({ line: null, text: row });
      continue;
    }
    if (row.startsWith("+")) {
      file.added++;
      file.rows.push({ line: next++, text: row });
    } else if (row.startsWith("-")) {
      file.removed++;
      file.rows.push({ line: null, text: row });
    } else if (row.startsWith("\\")) file.rows.push({ line: null, text: row });
    else if (row !== "" || next > 0) file.rows.push({ line: next++, text: row });
  }
  // The split leaves one empty row after the diff's final newline.
  for (const f of files) while (f.rows.at(-1)?.text === "") f.rows.pop();
  return files;
}
