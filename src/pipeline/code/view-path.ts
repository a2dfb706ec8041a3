import { untrusted } from "../../model/prompt/untrusted.js";
import type { ToolOutcome } from "../../model/run-agent.js";
import type { WorkingCopy } from "../working-copy.js";

/** What a view needs: a working copy, or the files of a commit (the reviewer's view of the PR's head). */
export type ReadableFiles = Pick<WorkingCopy, "read" | "list" | "kind">;

const DIRECTORY_ENTRIES = 400;

/**
 * The text editor's `view`: a file with line numbers (a `view_range` of it), cut past `maxCharacters` with a
 * note on how to see the rest, or a folder two levels deep without hidden entries.
 */
export async function viewPath(
  copy: ReadableFiles,
  path: string,
  range: readonly [number, number] | undefined,
  maxCharacters: number,
): Promise<ToolOutcome> {
  const kind = await copy.kind(path);
  if (kind === null) return { content: `Error: File not found: ${path}`, isError: true };
  if (kind === "directory") {
    const prefix = path === "" ? "" : `${path}/`;
    const entries = new Set<string>();
    for (const file of await copy.list()) {
      if (!file.startsWith(prefix)) continue;
      const parts = file.slice(prefix.length).split("/");
      if (parts.some((p) => p.startsWith("."))) continue;
      entries.add(prefix + parts[0] + (parts.length > 1 ? "/" : ""));
      if (parts.length > 1) entries.add(`${prefix}${parts[0]}/${parts[1]}${parts.length > 2 ? "/" : ""}`);
    }
    const list = [...entries].sort();
    const shown = list.slice(0, DIRECTORY_ENTRIES).join("\n");
    const more = list.length > DIRECTORY_ENTRIES ? `\n… and ${list.length - DIRECTORY_ENTRIES} more` : "";
    return {
      content: `The files and folders up to 2 levels deep in ${path || "the repository root"}, without hidden ones and installed dependencies:\n${untrusted("tool-output", shown + more)}`,
    };
  }
  const text = (await copy.read(path)) ?? "";
  const lines = text.split("\n");
  if (text.endsWith("\n")) lines.pop();
  const [start, end] = range ?? [1, -1];
  const last = end === -1 ? lines.length : end;
  if (range && (start < 1 || start > Math.max(1, lines.length) || last < start || last > lines.length))
    return {
      content: `Error: view_range [${start}, ${end}] does not fit ${path}, which has ${lines.length} lines. Use [first, last] with 1 ≤ first ≤ last ≤ ${lines.length}, or -1 as last for the end.`,
      isError: true,
    };
  let body = numbered(lines.slice(start - 1, last), start);
  let note = "";
  if (body.length > maxCharacters) {
    const lineEnd = body.lastIndexOf("\n", maxCharacters);
    if (lineEnd < 0) {
      // One line is longer than a whole view: no range can show it, the shell can show parts of it.
      body = body.slice(0, maxCharacters);
      note = `\n[Cut at ${maxCharacters} characters, inside line ${start}, which is longer than a view: read it in parts with the shell, for example sed -n ${start}p ${path} | cut -c1-${maxCharacters}.]`;
    } else {
      body = body.slice(0, lineEnd + 1);
      const shownTo = start + body.split("\n").length - 2;
      note = `\n[Cut at ${maxCharacters} characters, after line ${shownTo} of ${lines.length}: view the rest with view_range [${shownTo + 1}, -1], or grep for what you need.]`;
    }
  }
  return {
    content: untrusted("file", body, { path, lines: `${start}-${last} of ${lines.length}` }) + note,
  };
}

function numbered(lines: readonly string[], from: number): string {
  return lines.map((line, i) => `${String(from + i).padStart(6)}\t${line}`).join("\n");
}
