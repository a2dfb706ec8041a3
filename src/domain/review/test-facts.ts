/** Something found in a test's text, by its 1-based line in that text. */
export type TestMark = {
  line: number;
  /** The construct as written (trimmed, one line), for messages and for matching moved code. */
  text: string;
  /** A test case's name, where it has one in a string. */
  name?: string;
  /** An assertion that checks little (`toBeTruthy()`, a bare `assert x`). */
  weak?: boolean;
};

/** What a test file holds that a weakened test changes: its cases, skips, focus and assertions. */
export type TestFacts = {
  cases: TestMark[];
  skips: TestMark[];
  focus: TestMark[];
  assertions: TestMark[];
};

export type TestLanguage = "js" | "python" | "go" | "rust";

/** The test language of a path, by its extension; null for the languages the check does not read. */
export function testLanguageOf(path: string): TestLanguage | null {
  if (/\.[cm]?[jt]sx?$/.test(path)) return "js";
  if (path.endsWith(".py")) return "python";
  if (path.endsWith(".go")) return "go";
  if (path.endsWith(".rs")) return "rust";
  return null;
}
