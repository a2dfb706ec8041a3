import { Language, Parser } from "web-tree-sitter";
import { grammarPath } from "./languages.js";

const parsers = new Map<string, Promise<Parser>>();
let init: Promise<void> | undefined;

/** One tree-sitter parser per grammar file (e.g. `tree-sitter-python.wasm`), loaded once and shared. */
export function parserForGrammar(grammar: string): Promise<Parser> {
  let parser = parsers.get(grammar);
  if (!parser) {
    parser = (async () => {
      init ??= Parser.init();
      await init;
      const p = new Parser();
      p.setLanguage(await Language.load(grammarPath(grammar)));
      return p;
    })();
    parsers.set(grammar, parser);
  }
  return parser;
}
