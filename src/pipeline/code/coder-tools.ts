import { z } from "zod";
import { mayWrite } from "../../domain/plan/may-write.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import { type AgentTool, defineTool } from "../../model/run-agent.js";
import type { WorkingCopy } from "../working-copy.js";

export type CheckReport = {
  passed: boolean;
  summary: string;
  failures: { file: string; line: number | null; message: string }[];
};
export type Handoff = { summary: string; handoff: string };

const Path = z.string().min(1).describe("Path relative to the repository root, with / separators.");
const MAX_VIEW_LINES = 400;

/**
 * The coder's tools, with the semantics of Anthropic's text-editor tool (view, create, exact-match replace,
 * insert) plus listing, searching, running the checks and finishing. Writes go only to the node's own files
 * and never to protected paths; a refusal says why and what to do instead.
 */
export function coderTools(options: {
  copy: WorkingCopy;
  node: Pick<PlanNode, "id" | "owns">;
  protectedPaths: readonly string[];
  runChecks: () => Promise<CheckReport>;
  onFinish: (handoff: Handoff) => void;
}): AgentTool<never>[] {
  const { copy, node } = options;
  const refuse = (path: string) => {
    const verdict = mayWrite(node, path, options.protectedPaths);
    return verdict.ok ? null : { content: `Refused: ${verdict.reason}`, isError: true };
  };
  const numbered = (text: string, from: number) =>
    text
      .split("\n")
      .map((line, i) => `${String(from + i).padStart(5)}  ${line}`)
      .join("\n");

  return [
    defineTool({
      name: "view_file",
      description: `Show a file with line numbers, or lines start_line to end_line (at most ${MAX_VIEW_LINES} at a time).`,
      input: z.object({
        path: Path,
        start_line: z.int().min(1).optional(),
        end_line: z.int().min(1).optional(),
      }),
      run: async ({ path, start_line, end_line }) => {
        const text = await copy.read(path);
        if (text === null) return { content: `No file ${path}.`, isError: true };
        const lines = text.split("\n");
        const from = start_line ?? 1;
        const to = Math.min(end_line ?? from + MAX_VIEW_LINES - 1, from + MAX_VIEW_LINES - 1, lines.length);
        return untrusted("file", numbered(lines.slice(from - 1, to).join("\n"), from), {
          path,
          lines: `${from}-${to} of ${lines.length}`,
        });
      },
    }),
    defineTool({
      name: "list_files",
      description: "List the repository's files, optionally only those under a folder.",
      input: z.object({ under: z.string().optional() }),
      run: async ({ under }) => {
        const files = (await copy.list()).filter(
          (f) => !under || f.startsWith(`${under.replace(/\/$/, "")}/`),
        );
        return files.slice(0, 500).join("\n") + (files.length > 500 ? `\n… ${files.length - 500} more` : "");
      },
    }),
    defineTool({
      name: "search",
      description:
        "Find lines containing the text (case-sensitive) in the repository's files; at most 100 matches.",
      input: z.object({ text: z.string().min(1), under: z.string().optional() }),
      run: async ({ text, under }) => {
        const hits: string[] = [];
        for (const file of await copy.list()) {
          if (under && !file.startsWith(under)) continue;
          const body = await copy.read(file);
          body?.split("\n").forEach((line, i) => {
            if (hits.length < 100 && line.includes(text))
              hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 200)}`);
          });
        }
        return hits.length > 0 ? untrusted("tool-output", hits.join("\n")) : "No matches.";
      },
    }),
    defineTool({
      name: "create_file",
      description: "Create a file (or replace all of it) with the given text. Only files this node owns.",
      input: z.object({ path: Path, text: z.string() }),
      run: async ({ path, text }) => {
        const refused = refuse(path);
        if (refused) return refused;
        await copy.write(path, text);
        return `Wrote ${path} (${text.split("\n").length} lines).`;
      },
    }),
    defineTool({
      name: "str_replace",
      description:
        "Replace old_text, which must occur exactly once in the file, with new_text. Only files this node owns.",
      input: z.object({ path: Path, old_text: z.string().min(1), new_text: z.string() }),
      run: async ({ path, old_text, new_text }) => {
        const refused = refuse(path);
        if (refused) return refused;
        const text = await copy.read(path);
        if (text === null) return { content: `No file ${path}; use create_file to make it.`, isError: true };
        const count = text.split(old_text).length - 1;
        if (count !== 1)
          return {
            content: `old_text occurs ${count} times in ${path}; it must occur exactly once. Include more of the surrounding lines.`,
            isError: true,
          };
        await copy.write(
          path,
          text.replace(old_text, () => new_text),
        );
        return `Edited ${path}.`;
      },
    }),
    defineTool({
      name: "insert",
      description: "Insert text after line insert_line (0 inserts at the start). Only files this node owns.",
      input: z.object({ path: Path, insert_line: z.int().min(0), text: z.string() }),
      run: async ({ path, insert_line, text }) => {
        const refused = refuse(path);
        if (refused) return refused;
        const body = await copy.read(path);
        if (body === null) return { content: `No file ${path}; use create_file to make it.`, isError: true };
        const lines = body.split("\n");
        if (insert_line > lines.length)
          return {
            content: `${path} has ${lines.length} lines; insert_line must be at most that.`,
            isError: true,
          };
        lines.splice(insert_line, 0, ...text.split("\n"));
        await copy.write(path, lines.join("\n"));
        return `Inserted ${text.split("\n").length} lines into ${path} after line ${insert_line}.`;
      },
    }),
    defineTool({
      name: "run_checks",
      description:
        "Run the repository's checks in the sandbox; returns whether they pass and the failures with file and line.",
      input: z.object({}),
      run: async () => {
        const report = await options.runChecks();
        const failures = report.failures
          .map((f) => `${f.file}${f.line ? `:${f.line}` : ""}: ${f.message}`)
          .join("\n");
        const text = `${report.passed ? "Checks passed." : "Checks failed."}\n${report.summary}${failures ? `\nFailures:\n${failures}` : ""}`;
        return { content: untrusted("tool-output", text), isError: !report.passed };
      },
    }),
    defineTool({
      name: "finish",
      description:
        "Finish the node: what you changed and how you checked it, and notes for the nodes that depend on this one.",
      input: z.object({ summary: z.string().min(1), handoff: z.string().default("") }),
      run: async ({ summary, handoff }) => {
        options.onFinish({ summary, handoff });
        return "Recorded. End your turn now.";
      },
    }),
  ];
}
