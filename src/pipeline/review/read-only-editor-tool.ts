import { z } from "zod";
import { type AgentTool, defineTool } from "../../model/run-agent.js";
import { EDITOR } from "../code/editor-tool.js";
import { repositoryPath } from "../code/repository-path.js";
import { type ReadableFiles, viewPath } from "../code/view-path.js";

// Every command the text editor may send: only `view` runs; the others are refused, with the reason.
const ReadOnlyInput = z.looseObject({
  command: z.string(),
  path: z.string().min(1),
  view_range: z.tuple([z.int(), z.int()]).optional(),
});

const REVIEWER_REFUSAL =
  "the reviewer's editor is read-only (it shows the pull request's head commit). Report what must change as a finding, with its file and line, for the node that owns the file.";

/**
 * Anthropic's text editor tool (`text_editor_20250728`) over files that may not change (the PR's head
 * commit for the reviewer, the repository for the planner), read-only: `view` shows a file with line numbers
 * (a `view_range` of it) or a folder; create, str_replace and insert are refused with a tool error that says
 * what to do instead (`refusal`: by default, a finding for the node that owns the file).
 */
export function readOnlyEditorTool(options: {
  files: ReadableFiles;
  maxCharacters: number;
  refusal?: string;
}): AgentTool<never> {
  return defineTool({
    name: EDITOR,
    description: "",
    builtin: { type: "text_editor_20250728", name: EDITOR, max_characters: options.maxCharacters },
    input: ReadOnlyInput,
    run: async (input) => {
      if (input.command !== "view")
        return {
          content: `Error: ${input.command} is refused: ${options.refusal ?? REVIEWER_REFUSAL}`,
          isError: true,
        };
      const path = repositoryPath(input.path);
      if (path === null)
        return {
          content: `Error: ${input.path} is outside the repository. Use paths relative to the repository root, such as src/index.ts.`,
          isError: true,
        };
      return viewPath(options.files, path, input.view_range, options.maxCharacters);
    },
  });
}
