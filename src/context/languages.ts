import { createRequire } from "node:module";

// Which grammar parses which file, and the tree-sitter queries that find its definitions and imports. The
// grammars are the prebuilt WASM files of `tree-sitter-wasms`; more languages are one entry each.

export type LanguageSpec = { grammar: string; query: string };

const TS_LIKE = `
(function_declaration name: (identifier) @def.function) @sig
(generator_function_declaration name: (identifier) @def.function) @sig
(class_declaration name: (type_identifier) @def.class) @sig
(abstract_class_declaration name: (type_identifier) @def.class) @sig
(method_definition name: (property_identifier) @def.method) @sig
(interface_declaration name: (type_identifier) @def.interface) @sig
(type_alias_declaration name: (type_identifier) @def.type) @sig
(enum_declaration name: (identifier) @def.enum) @sig
(program (lexical_declaration (variable_declarator name: (identifier) @def.variable)) @sig)
(export_statement (lexical_declaration (variable_declarator name: (identifier) @def.variable)) @sig)
(import_statement source: (string (string_fragment) @import))
(export_statement source: (string (string_fragment) @import))
`;

const JS = `
(function_declaration name: (identifier) @def.function) @sig
(generator_function_declaration name: (identifier) @def.function) @sig
(class_declaration name: (identifier) @def.class) @sig
(method_definition name: (property_identifier) @def.method) @sig
(program (lexical_declaration (variable_declarator name: (identifier) @def.variable)) @sig)
(export_statement (lexical_declaration (variable_declarator name: (identifier) @def.variable)) @sig)
(import_statement source: (string (string_fragment) @import))
(export_statement source: (string (string_fragment) @import))
`;

const PYTHON = `
(function_definition name: (identifier) @def.function) @sig
(class_definition name: (identifier) @def.class) @sig
(module (expression_statement (assignment left: (identifier) @def.variable)) @sig)
(import_statement name: (dotted_name) @import)
(import_from_statement module_name: (dotted_name) @import)
(import_from_statement module_name: (relative_import) @import)
`;

export const LANGUAGES: Readonly<Record<string, LanguageSpec>> = {
  ".ts": { grammar: "tree-sitter-typescript.wasm", query: TS_LIKE },
  ".mts": { grammar: "tree-sitter-typescript.wasm", query: TS_LIKE },
  ".cts": { grammar: "tree-sitter-typescript.wasm", query: TS_LIKE },
  ".tsx": { grammar: "tree-sitter-tsx.wasm", query: TS_LIKE },
  ".js": { grammar: "tree-sitter-javascript.wasm", query: JS },
  ".mjs": { grammar: "tree-sitter-javascript.wasm", query: JS },
  ".cjs": { grammar: "tree-sitter-javascript.wasm", query: JS },
  ".jsx": { grammar: "tree-sitter-javascript.wasm", query: JS },
  ".py": { grammar: "tree-sitter-python.wasm", query: PYTHON },
};

/** Where a grammar's WASM file is, resolved from the installed package. */
export function grammarPath(file: string): string {
  return createRequire(import.meta.url).resolve(`tree-sitter-wasms/out/${file}`);
}
