import { extname } from "node:path";
import type { Node, Parser } from "web-tree-sitter";
import { WEAK_ASSERTION } from "../domain/review/pattern-test-facts.js";
import type { TestFacts, TestMark } from "../domain/review/test-facts.js";
import { parserForGrammar } from "./grammar-parser.js";
import { LANGUAGES } from "./languages.js";

// The weakened-tests check reads JavaScript, TypeScript and Python tests from their syntax trees: a test
// commented out is no call, an assertion over several lines is one, and a string that says `it.skip(` is
// no skip. Go and Rust are read by the line patterns of the domain.

function parserFor(path: string): Promise<Parser> | null {
  const ext = extname(path);
  const grammar = LANGUAGES[ext]?.grammar;
  if (!grammar || path.endsWith(".d.ts")) return null;
  return parserForGrammar(grammar);
}

const CASE_ROOTS = new Set(["it", "test", "xit", "xtest", "fit", "ftest"]);
const SUITE_ROOTS = new Set(["describe", "suite", "xdescribe", "fdescribe"]);
const MODIFIERS = new Set([
  "skip",
  "only",
  "todo",
  "concurrent",
  "each",
  "skipIf",
  "runIf",
  "fixme",
  "fails",
  "sequential",
]);
const SKIPPING = new Set(["skip", "todo", "skipIf", "fixme"]);

/** A test's cases, skips, focus and assertions from its syntax tree; null where no grammar reads the file. */
export async function testSyntaxFacts(path: string, text: string): Promise<TestFacts | null> {
  const parser = await parserFor(path);
  if (!parser) return null;
  const tree = parser.parse(text);
  if (!tree) return null;
  try {
    return path.endsWith(".py") ? pythonFacts(tree.rootNode) : scriptFacts(tree.rootNode);
  } finally {
    tree.delete();
  }
}

const oneLine = (node: Node) => node.text.replace(/\s+/g, " ").trim().slice(0, 160);
const mark = (node: Node, extra: Partial<TestMark> = {}): TestMark => ({
  line: node.startPosition.row + 1,
  text: oneLine(node),
  ...extra,
});

/** `it.skip.each(rows)` → ["it", "skip", "each"]; null for anything but names and member accesses. */
function chainOf(node: Node | null): string[] | null {
  if (!node) return null;
  if (node.type === "identifier") return [node.text];
  if (node.type === "member_expression") {
    const object = chainOf(node.childForFieldName("object"));
    const property = node.childForFieldName("property")?.text;
    return object && property ? [...object, property] : null;
  }
  if (node.type === "call_expression") return chainOf(node.childForFieldName("function"));
  return null;
}

function scriptFacts(root: Node): TestFacts {
  const facts: TestFacts = { cases: [], skips: [], focus: [], assertions: [] };
  for (const call of root.descendantsOfType("call_expression")) {
    if (!call) continue;
    const fn = call.childForFieldName("function");
    const parent = call.parent;
    // `it.each(rows)` is the callee of the call that is the test: count that one only.
    if (parent?.type === "call_expression" && parent.childForFieldName("function")?.id === call.id) continue;
    const chain = chainOf(fn);
    if (!fn || !chain) continue;
    const [head, ...mods] = chain;
    if (head && (CASE_ROOTS.has(head) || SUITE_ROOTS.has(head)) && mods.every((m) => MODIFIERS.has(m))) {
      const first = call.childForFieldName("arguments")?.namedChildren[0];
      const name =
        first && (first.type === "string" || first.type === "template_string")
          ? first.text.slice(1, -1)
          : undefined;
      const named = name ? { name } : {};
      if (CASE_ROOTS.has(head)) facts.cases.push(mark(call, named));
      if (head.startsWith("x") || mods.some((m) => SKIPPING.has(m))) facts.skips.push(mark(call, named));
      if (/^f(?:it|test|describe)$/.test(head) || mods.includes("only")) facts.focus.push(mark(call, named));
      continue;
    }
    const object = fn.type === "member_expression" ? fn.childForFieldName("object") : null;
    const isAssertion =
      (fn.type === "identifier" && (fn.text === "expect" || fn.text === "assert")) ||
      (object?.type === "identifier" && (object.text === "assert" || object.text === "expect"));
    if (!isAssertion) continue;
    // The whole assertion: `expect(x).not.toBe(1)` climbs from `expect(x)` to the matcher's call.
    let whole: Node = call;
    for (let up = whole.parent; up; up = whole.parent) {
      const climbs =
        (up.type === "member_expression" && up.childForFieldName("object")?.id === whole.id) ||
        (up.type === "call_expression" && up.childForFieldName("function")?.id === whole.id);
      if (!climbs) break;
      whole = up;
    }
    facts.assertions.push({
      ...mark(whole),
      line: call.startPosition.row + 1,
      weak: WEAK_ASSERTION.js.test(oneLine(whole)),
    });
  }
  return facts;
}

const PY_SKIP = /^@(?:pytest\.mark\.(?:skip|skipif|xfail)|unittest\.(?:skip\w*|expectedFailure))\b/;

function pythonFacts(root: Node): TestFacts {
  const facts: TestFacts = { cases: [], skips: [], focus: [], assertions: [] };
  for (const def of root.descendantsOfType("function_definition")) {
    const name = def?.childForFieldName("name")?.text;
    if (def && name?.startsWith("test"))
      facts.cases.push({ line: def.startPosition.row + 1, text: `def ${name}`, name });
  }
  for (const decorator of root.descendantsOfType("decorator")) {
    if (!decorator || !PY_SKIP.test(oneLine(decorator))) continue;
    const name = decorator.parent?.childForFieldName("definition")?.childForFieldName("name")?.text;
    facts.skips.push(mark(decorator, name ? { name } : {}));
  }
  for (const statement of root.descendantsOfType("assert_statement"))
    if (statement)
      facts.assertions.push(mark(statement, { weak: WEAK_ASSERTION.python.test(oneLine(statement)) }));
  for (const call of root.descendantsOfType("call")) {
    const fn = call?.childForFieldName("function")?.text ?? "";
    if (!call) continue;
    if (/^(?:pytest\.(?:skip|xfail)|self\.skipTest)$/.test(fn)) facts.skips.push(mark(call));
    else if (/^self\.assert\w+$|^pytest\.raises$/.test(fn))
      facts.assertions.push(mark(call, { weak: WEAK_ASSERTION.python.test(oneLine(call)) }));
  }
  return facts;
}
