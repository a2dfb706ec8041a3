import { globsOverlap } from "../../domain/plan/globs-overlap.js";
import type { Spec } from "../../domain/spec/spec.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import type { ReadableFiles } from "../code/view-path.js";

const SKIPPED = /(^|\/)(node_modules|\.git|dist|build|out|coverage|vendor|\.next|target|__pycache__)\//;
const LOCKFILES =
  /(^|\/)(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum)$/;
const KEY_FILES = [
  /^readme(\.\w+)?$/i,
  /^package\.json$/,
  /^tsconfig\.json$/,
  /^pyproject\.toml$/,
  /^go\.mod$/,
  /^Cargo\.toml$/,
  /^pom\.xml$/,
  /^Makefile$/,
  /^CONTRIBUTING\.md$/i,
];
const MAX_TREE_ENTRIES = 2000;
const MAX_FILE_CHARS = 8000;

/** The code most related to a query, ranked, within a token budget (src/context), for the repository at `ref`. */
export type CodeContext = (ref: string, query: { text: string; files: readonly string[] }) => Promise<string>;

/**
 * What the planner sees of the repository, within a budget of characters: the file tree, then key files
 * (README, manifests), then the files the spec names. Contents are data, wrapped as such. With
 * `codeContext`, a map of the definitions most related to the spec follows.
 */
export async function repositoryView(
  source: ReadableFiles,
  ref: string,
  spec: Spec,
  codeContext?: CodeContext,
  budgetChars = 96_000,
): Promise<string> {
  const files = (await source.list()).filter((p) => !SKIPPED.test(p) && !LOCKFILES.test(p)).sort();
  const shown = files.slice(0, MAX_TREE_ENTRIES);
  const tree = `Files at ${ref} (${files.length}${files.length > shown.length ? `, first ${shown.length} shown` : ""}):\n${shown.join("\n")}`;
  const parts = [tree];
  let used = tree.length;

  const wanted = [
    ...files.filter((p) => KEY_FILES.some((re) => re.test(p))),
    ...files.filter((p) => spec.fileHints.some((hint) => globsOverlap(hint, p) !== null)),
  ];
  for (const path of [...new Set(wanted)]) {
    if (used >= budgetChars) break;
    const text = await source.read(path);
    if (text === null) continue;
    const cut =
      text.length > MAX_FILE_CHARS
        ? `${text.slice(0, MAX_FILE_CHARS)}\n… (${text.length - MAX_FILE_CHARS} more characters)`
        : text;
    const block = untrusted("file", cut.slice(0, Math.max(0, budgetChars - used)), { path });
    parts.push(block);
    used += block.length;
  }
  const map = await codeContext?.(ref, {
    text: `${spec.title}\n${spec.goal}\n${spec.acceptanceCriteria.join("\n")}`,
    files: spec.fileHints,
  });
  if (map)
    parts.push(untrusted("file", map, { path: "(code map: the definitions most related to the spec)" }));
  return parts.join("\n\n");
}
