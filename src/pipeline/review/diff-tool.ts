import { z } from "zod";
import { splitDiff } from "../../domain/review/split-diff.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import { type AgentTool, defineTool } from "../../model/run-agent.js";

/** Rows of one file's diff in a page, and characters at most (a page of long lines is cut sooner). */
const PAGE_ROWS = 300;
const PAGE_CHARACTERS = 40_000;

/**
 * `diff`: the pull request's changes by file. Without a path, the changed files with their added and removed
 * line counts; with one, that file's diff a page at a time, each row with its line in the PR's version (the
 * line a finding names).
 */
export function diffTool(diff: string): AgentTool<never> {
  const files = splitDiff(diff);
  return defineTool({
    name: "diff",
    description: `The pull request's changes against its base. Without \`path\`: the changed files, each with its lines added and removed. With \`path\`: that file's unified diff, ${PAGE_ROWS} rows a page (\`page\`, from 1), each row led by its line number in the pull request's version of the file (blank for removed lines).`,
    input: z.object({
      path: z.string().optional().describe("A changed file, relative to the repository root."),
      page: z.int().min(1).optional().describe("Which page of that file's diff; 1 when left out."),
    }),
    run: async ({ path, page }) => {
      if (files.length === 0) return "The pull request changes no files.";
      if (path === undefined) {
        const added = files.reduce((n, f) => n + f.added, 0);
        const removed = files.reduce((n, f) => n + f.removed, 0);
        const list = files.map(
          (f) =>
            `${f.path}${f.from ? ` (renamed from ${f.from})` : ""}  ${f.change}  +${f.added} -${f.removed}`,
        );
        return `${files.length} changed file${files.length === 1 ? "" : "s"}, +${added} -${removed}:\n${untrusted("tool-output", list.join("\n"))}\nCall diff with a path to read one file's changes.`;
      }
      const wanted = path.trim().replace(/^(?:\.\/)+/, "");
      const file = files.find((f) => f.path === wanted || f.from === wanted);
      if (!file)
        return {
          content: `Error: ${path} is not changed by this pull request. The changed files: ${files.map((f) => f.path).join(", ")}. View an unchanged file with the editor.`,
          isError: true,
        };
      const pages = Math.max(1, Math.ceil(file.rows.length / PAGE_ROWS));
      const n = page ?? 1;
      if (n > pages)
        return {
          content: `Error: ${file.path}'s diff has ${pages} page${pages === 1 ? "" : "s"}; ask for page 1 to ${pages}.`,
          isError: true,
        };
      const rows = file.rows.slice((n - 1) * PAGE_ROWS, n * PAGE_ROWS);
      let body = rows
        .map((r) => `${r.line === null ? "      " : String(r.line).padStart(6)} ${r.text}`)
        .join("\n");
      let cut = "";
      if (body.length > PAGE_CHARACTERS) {
        body = body.slice(0, body.lastIndexOf("\n", PAGE_CHARACTERS));
        cut = ` [this page was cut at ${PAGE_CHARACTERS} characters, after ${body.split("\n").length} of its rows; view the file itself for the rest]`;
      }
      return `${file.path} (${file.change}, +${file.added} -${file.removed}), page ${n} of ${pages}:${cut}\n${untrusted("file", body, { path: file.path })}${n < pages ? `\nNext: page ${n + 1}.` : ""}`;
    },
  });
}
