import type { TestFacts, TestLanguage, TestMark } from "./test-facts.js";

// Line patterns for the test constructs of each language: the fallback where no syntax tree is at hand
// (Go and Rust always; JavaScript and Python when the caller has no parser). Comments are stripped first,
// so commenting a test or an assertion out counts as removing it.

type Patterns = {
  comment: RegExp;
  case: RegExp;
  skip: RegExp;
  focus: RegExp | null;
  assertion: RegExp;
  weak: RegExp;
};

const PATTERNS: Record<TestLanguage, Patterns> = {
  js: {
    comment: /\/\/.*$/,
    // it("name"), test.each(rows)("name"), it.skip("name"), xit("name"), fit("name")
    case: /(?<![\w.$])[xf]?(?:it|test)\b(?:\.\w+(?:\([^)]*\))?)*\s*\(\s*(?:(['"`])((?:(?!\1).)*)\1)?/,
    skip: /(?<![\w.$])(?:(?:it|test|describe|suite)\.(?:skip|todo|skipIf|fixme)\b|x(?:it|test|describe)\s*\()/,
    focus: /(?<![\w.$])(?:(?:it|test|describe|suite)\.only\b|f(?:it|test|describe)\s*\()/,
    assertion: /(?<![\w.$])(?:expect|assert)\s*[.(]/g,
    weak: /\.(?:toBeTruthy|toBeDefined|toBeFalsy|not\.toBeNull|not\.toBeUndefined|toHaveBeenCalled)\(\s*\)|expect\.anything\(\)|(?<![\w.$])assert(?:\.ok)?\s*\(/,
  },
  python: {
    comment: /#.*$/,
    case: /^\s*(?:async\s+)?def\s+(test\w*)\s*\(/,
    skip: /@pytest\.mark\.(?:skip|skipif|xfail)\b|@unittest\.(?:skip\w*|expectedFailure)\b|\bpytest\.(?:skip|xfail)\s*\(|\.skipTest\s*\(/,
    focus: null,
    assertion: /^\s*assert\b|\bself\.assert\w+\s*\(|\bpytest\.raises\s*\(/g,
    // An assert that compares nothing (`assert x`), or only with None.
    weak: /^\s*assert\s+(?!.*(?:[=!<>]=|[<>]|\bin\b|\bis\b))|\bis not None\s*(?:,.*)?$|self\.assert(?:True|IsNotNone)\s*\(/,
  },
  go: {
    comment: /\/\/.*$/,
    case: /^func\s+(Test\w+)\s*\(/,
    skip: /\b\w+\.Skip(?:f|Now)?\s*\(/,
    focus: null,
    assertion: /\b\w+\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(|\b(?:require|assert)\.\w+\s*\(/g,
    weak: /\b(?:require|assert)\.(?:NotNil|True|NotEmpty)\s*\(/,
  },
  rust: {
    comment: /\/\/.*$/,
    case: /#\[(?:tokio::)?test\]/,
    skip: /#\[ignore\b/,
    focus: null,
    assertion: /\b(?:debug_)?assert(?:_eq|_ne)?!\s*\(/g,
    weak: /\bassert!\s*\(\s*[\w.]+\.is_(?:ok|some)\(\)\s*\)/,
  },
};

/** What makes an assertion weak in each language, for the syntax-tree reader too. */
export const WEAK_ASSERTION: Readonly<Record<TestLanguage, RegExp>> = Object.fromEntries(
  Object.entries(PATTERNS).map(([language, p]) => [language, p.weak]),
) as Record<TestLanguage, RegExp>;

/** The cases, skips, focus and assertions of a test's text, by line patterns. */
export function patternTestFacts(language: TestLanguage, text: string): TestFacts {
  const p = PATTERNS[language];
  const facts: TestFacts = { cases: [], skips: [], focus: [], assertions: [] };
  let inBlock = false;
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    let code = raw;
    if (language !== "python") {
      // Block comments: drop what is inside `/* … */`, across lines.
      if (inBlock) {
        const end = code.indexOf("*/");
        if (end < 0) return;
        code = code.slice(end + 2);
        inBlock = false;
      }
      code = code.replace(/\/\*.*?\*\//g, "");
      const open = code.indexOf("/*");
      if (open >= 0) {
        code = code.slice(0, open);
        inBlock = true;
      }
    }
    code = code.replace(p.comment, "");
    if (!code.trim()) return;
    const mark = (extra: Partial<TestMark> = {}): TestMark => ({ line: i + 1, text: code.trim(), ...extra });
    const found = p.case.exec(code);
    const name = !found
      ? undefined
      : language === "js"
        ? found[2]
        : language === "rust"
          ? /fn\s+(\w+)/.exec(lines.slice(i, i + 4).join("\n"))?.[1]
          : found[1];
    const named = name ? { name } : {};
    if (found) facts.cases.push(mark(named));
    if (p.skip.test(code)) facts.skips.push(mark(named));
    if (p.focus?.test(code)) facts.focus.push(mark(named));
    const weak = p.weak.test(code);
    for (const _ of code.matchAll(p.assertion)) facts.assertions.push(mark({ weak }));
  });
  return facts;
}
