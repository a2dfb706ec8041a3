import { z } from "zod";
import { mayWrite } from "../../domain/plan/may-write.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import { type AgentTool, defineTool, type ToolOutcome } from "../../model/run-agent.js";
import type { WorkingCopy } from "../working-copy.js";
import { repositoryPath } from "./repository-path.js";
import { viewPath } from "./view-path.js";

export const EDITOR = "str_replace_based_edit_tool";

/** Where an edit left the file's syntax broken (tree-sitter), for the languages it knows. */
export type SyntaxCheck = (path: string, text: string) => Promise<{ line: number; message: string }[]>;

const Path = z.string().min(1);
// The text editor's commands with the fields the model sends (text_editor_20250728). `insert` sends
// `insert_text`; older documentation said `new_str`, so both are taken.
const EditorInput = z.discriminatedUnion("command", [
  z.object({ command: z.literal("view"), path: Path, view_range: z.tuple([z.int(), z.int()]).optional() }),
  z.object({ command: z.literal("create"), path: Path, file_text: z.string() }),
  z.object({
    command: z.literal("str_replace"),
    path: Path,
    old_str: z.string(),
    new_str: z.string().default(""),
  }),
  z.object({
    command: z.literal("insert"),
    path: Path,
    insert_line: z.int().min(0),
    insert_text: z.string().optional(),
    new_str: z.string().optional(),
  }),
]);

const SNIPPET = 4;

/**
 * Anthropic's text editor tool over the node's working copy: view (files with line numbers and a view_range,
 * folders two levels deep), create, str_replace of text that occurs exactly once, and insert after a line.
 * Writes go only to the node's own files and never to protected paths; a refusal says why and what to do
 * instead. After each edit, a syntax check shows any error it left (the edit is kept).
 */
export function editorTool(options: {
  copy: WorkingCopy;
  node: Pick<PlanNode, "id" | "owns">;
  protectedPaths: readonly string[];
  /** Views longer than this are cut, with a note on how to see the rest (the tool's max_characters). */
  maxCharacters: number;
  syntaxCheck?: SyntaxCheck;
}): AgentTool<never> {
  const { copy } = options;
  const refused = (path: string): ToolOutcome | null => {
    const verdict = mayWrite(options.node, path, options.protectedPaths);
    return verdict.ok ? null : { content: `Error: refused: ${verdict.reason}`, isError: true };
  };
  const edited = async (path: string, text: string, what: string, around: number): Promise<ToolOutcome> => {
    await copy.write(path, text);
    const lines = text.split("\n");
    const from = Math.max(1, around - SNIPPET);
    const shown = numbered(lines.slice(from - 1, around + SNIPPET), from);
    const problems = (await options.syntaxCheck?.(path, text)) ?? [];
    const syntax =
      problems.length > 0
        ? `\n\nSyntax check: ${path} does not parse now: ${problems.map((p) => `line ${p.line}: ${p.message}`).join("; ")}. The edit was kept; fix it with another edit.`
        : "";
    return {
      content: `${what}\n${untrusted("file", shown, { path, lines: `${from}-${Math.min(lines.length, around + SNIPPET)} of ${lines.length}` })}${syntax}`,
    };
  };

  return defineTool({
    name: EDITOR,
    description: "",
    builtin: { type: "text_editor_20250728", name: EDITOR, max_characters: options.maxCharacters },
    input: EditorInput,
    run: async (input) => {
      const path = repositoryPath(input.path);
      if (path === null)
        return {
          content: `Error: ${input.path} is outside the repository. Use paths relative to the repository root (the shell's /workspace), such as src/index.ts.`,
          isError: true,
        };
      if (input.command === "view") return viewPath(copy, path, input.view_range, options.maxCharacters);
      // Ownership holds for where the write lands: a symlink inside the node's files may point elsewhere.
      const real = await copy.realPath(path);
      const denied = refused(path) ?? (real !== path ? refused(real) : null);
      if (denied) return denied;
      const kind = await copy.kind(path);
      if (kind === "directory") return { content: `Error: ${path} is a folder, not a file.`, isError: true };

      if (input.command === "create") {
        const was = kind === "file" ? (await copy.read(path))?.split("\n").length : undefined;
        const lines = input.file_text.split("\n").length;
        return edited(
          path,
          input.file_text,
          was === undefined
            ? `Created ${path} (${lines} lines).`
            : `Overwrote ${path} (${lines} lines; it had ${was}).`,
          1,
        );
      }
      const text = await copy.read(path);
      if (text === null)
        return {
          content: `Error: File not found: ${path}. Create it with the create command.`,
          isError: true,
        };

      if (input.command === "str_replace") {
        const at = occurrences(text, input.old_str);
        if (input.old_str === "" || at.length === 0)
          return {
            content: `Error: No match found for replacement in ${path}. old_str must match the file exactly, including whitespace and indentation; view the lines first.`,
            isError: true,
          };
        if (at.length > 1)
          return {
            content: `Error: Found ${at.length} matches for replacement text in ${path} (lines ${at.map((i) => lineAt(text, i)).join(", ")}). Please provide more context to make a unique match.`,
            isError: true,
          };
        const index = at[0] ?? 0;
        const next = text.slice(0, index) + input.new_str + text.slice(index + input.old_str.length);
        return edited(path, next, "Successfully replaced text at exactly one location.", lineAt(text, index));
      }

      const insert = input.insert_text ?? input.new_str;
      if (insert === undefined)
        return { content: "Error: insert needs insert_text, the text to insert.", isError: true };
      const lines = text.split("\n");
      const count = text.endsWith("\n") ? lines.length - 1 : lines.length;
      if (input.insert_line > count)
        return {
          content: `Error: insert_line ${input.insert_line} is past the end of ${path}, which has ${count} lines. Use a line from 0 (the start) to ${count}.`,
          isError: true,
        };
      const added = insert.endsWith("\n") ? insert.slice(0, -1).split("\n") : insert.split("\n");
      lines.splice(input.insert_line, 0, ...added);
      return edited(
        path,
        lines.join("\n"),
        `Inserted ${added.length} line${added.length === 1 ? "" : "s"} after line ${input.insert_line} of ${path}.`,
        input.insert_line + 1,
      );
    },
  });
}

function numbered(lines: readonly string[], from: number): string {
  return lines.map((line, i) => `${String(from + i).padStart(6)}\t${line}`).join("\n");
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  if (!needle) return found;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) found.push(i);
  return found;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}
