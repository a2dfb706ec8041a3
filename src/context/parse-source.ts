import { extname } from "node:path";
import { Language, Parser, Query } from "web-tree-sitter";
import { grammarPath, LANGUAGES } from "./languages.js";

export type Definition = {
  name: string;
  kind: string;
  /** 1-based lines the definition spans. */
  line: number;
  endLine: number;
  /** Its first line, trimmed: what a signature-only view shows. */
  signature: string;
};

export type ParsedFile = {
  definitions: Definition[];
  /** Module specifiers as written (`./b`, `zod`, `..pkg.mod`). */
  imports: string[];
  /** Identifiers the file uses, each once: matched against other files' definitions to link them. */
  identifiers: string[];
  lines: number;
};

type Loaded = { parser: Parser; query: Query };
const loaded = new Map<string, Promise<Loaded>>();
let init: Promise<void> | undefined;

async function languageFor(ext: string): Promise<Loaded | null> {
  const spec = LANGUAGES[ext];
  if (!spec) return null;
  let found = loaded.get(spec.grammar);
  if (!found) {
    found = (async () => {
      init ??= Parser.init();
      await init;
      const language = await Language.load(grammarPath(spec.grammar));
      const parser = new Parser();
      parser.setLanguage(language);
      return { parser, query: new Query(language, spec.query) };
    })();
    loaded.set(spec.grammar, found);
  }
  return found;
}

export function isIndexable(path: string): boolean {
  return extname(path) in LANGUAGES && !path.endsWith(".d.ts");
}

const IDENTIFIER = /[A-Za-z_$][\w$]{2,}/g;

/**
 * A file's definitions (with their signature lines), imports and the identifiers it uses. Definitions and
 * imports come from the syntax tree; uses are the identifiers in the text, which is what matters for
 * linking files and is far cheaper than walking every node.
 */
export async function parseSource(path: string, text: string): Promise<ParsedFile | null> {
  const language = await languageFor(extname(path));
  if (!language) return null;
  const tree = language.parser.parse(text);
  if (!tree) return null;
  const definitions: Definition[] = [];
  const imports: string[] = [];
  try {
    let signatureNode: { startRow: number; endRow: number } | null = null;
    for (const capture of language.query.captures(tree.rootNode)) {
      const node = capture.node;
      if (capture.name === "sig") {
        signatureNode = { startRow: node.startPosition.row, endRow: node.endPosition.row };
      } else if (capture.name === "import") {
        imports.push(node.text);
      } else if (capture.name.startsWith("def.")) {
        const span =
          signatureNode &&
          signatureNode.startRow <= node.startPosition.row &&
          node.endPosition.row <= signatureNode.endRow
            ? signatureNode
            : { startRow: node.startPosition.row, endRow: node.endPosition.row };
        definitions.push({
          name: node.text,
          kind: capture.name.slice(4),
          line: span.startRow + 1,
          endLine: span.endRow + 1,
          signature: "",
        });
      }
    }
  } finally {
    tree.delete();
  }
  const lines = text.split("\n");
  for (const d of definitions) d.signature = (lines[d.line - 1] ?? "").trim().slice(0, 200);
  const identifiers = [...new Set(text.match(IDENTIFIER) ?? [])];
  return { definitions, imports, identifiers, lines: lines.length };
}
