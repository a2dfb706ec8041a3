import { extname } from "node:path";
import type { Node, Parser } from "web-tree-sitter";
import { parserForGrammar } from "./grammar-parser.js";
import { LANGUAGES } from "./languages.js";

// Grammars that only check syntax: the indexed languages, and more that agents edit often.
const SYNTAX_ONLY: Readonly<Record<string, string>> = {
  ".go": "tree-sitter-go.wasm",
  ".rs": "tree-sitter-rust.wasm",
  ".json": "tree-sitter-json.wasm",
  ".java": "tree-sitter-java.wasm",
  ".rb": "tree-sitter-ruby.wasm",
  ".c": "tree-sitter-c.wasm",
  ".h": "tree-sitter-c.wasm",
  ".cpp": "tree-sitter-cpp.wasm",
  ".cs": "tree-sitter-c_sharp.wasm",
  ".php": "tree-sitter-php.wasm",
  ".sh": "tree-sitter-bash.wasm",
  ".css": "tree-sitter-css.wasm",
  ".toml": "tree-sitter-toml.wasm",
  ".yml": "tree-sitter-yaml.wasm",
  ".yaml": "tree-sitter-yaml.wasm",
};

export type SyntaxProblem = { line: number; column: number; message: string };

function parserFor(path: string): Promise<Parser> | null {
  const ext = extname(path);
  const grammar = LANGUAGES[ext]?.grammar ?? SYNTAX_ONLY[ext];
  if (!grammar) return null;
  return parserForGrammar(grammar);
}

/** Whether the file's language can be checked (tree-sitter has a grammar for it). */
export function canCheckSyntax(path: string): boolean {
  return parserFor(path) !== null;
}

/**
 * Where a file's syntax is broken, by tree-sitter: the first few ERROR and MISSING nodes with their line.
 * Empty when it parses, or when no grammar knows the file's language.
 */
export async function syntaxErrors(path: string, text: string): Promise<SyntaxProblem[]> {
  const parser = await parserFor(path);
  if (!parser) return [];
  const tree = parser.parse(text);
  if (!tree?.rootNode.hasError) return [];
  const found: SyntaxProblem[] = [];
  const lines = text.split("\n");
  const visit = (node: Node) => {
    if (found.length >= 3) return;
    if (node.isMissing || node.type === "ERROR") {
      const line = node.startPosition.row + 1;
      const source = (lines[line - 1] ?? "").trim().slice(0, 120);
      found.push({
        line,
        column: node.startPosition.column + 1,
        message: node.isMissing ? `missing \`${node.type}\`` : `cannot parse \`${source}\``,
      });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  tree.delete();
  return found;
}
