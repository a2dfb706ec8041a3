import { extractJson } from "./extract-json.js";
import { parseCargo } from "./parse-cargo.js";
import { isEslintReport, parseEslint } from "./parse-eslint.js";
import { parseGeneric } from "./parse-generic.js";
import { parseGoTest } from "./parse-go-test.js";
import { parseJestText } from "./parse-jest-text.js";
import { parseNodeTest } from "./parse-node-test.js";
import { parsePytest } from "./parse-pytest.js";
import { isTestReport, parseTestReport } from "./parse-test-report.js";
import { parseTypeScript } from "./parse-typescript.js";
import { parseVitestText } from "./parse-vitest-text.js";
import type { StructuredFailure } from "./structured-failure.js";

/**
 * Structured failures from a check's output: vitest/jest and ESLint JSON reports, TypeScript diagnostics,
 * the text reports of vitest, jest, pytest, `go test`, cargo and `node --test`; when none of those is there, any
 * `file:line:col: message` lines. Each keeps its message's detail (the assertion, expected and received).
 */
export function parseFailures(output: string): StructuredFailure[] {
  const fromJson = extractJson(output).flatMap((doc) =>
    isTestReport(doc) ? parseTestReport(doc) : isEslintReport(doc) ? parseEslint(doc) : [],
  );
  const found = [
    ...parseTypeScript(output),
    ...fromJson,
    ...parseVitestText(output),
    ...parseJestText(output),
    ...parsePytest(output),
    ...parseGoTest(output),
    ...parseCargo(output),
    ...parseNodeTest(output),
  ];
  if (found.length === 0) return parseGeneric(output);
  // A runner's JSON report and its text report name the same failure: keep the first.
  const seen = new Set<string>();
  return found.map(withRelativePaths).filter((f) => {
    const key = `${f.file}\u0000${f.test ?? f.line}\u0000${f.test ? "" : f.message.split("\n")[0]}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Paths inside messages as the agent knows them: relative to the repository, not the sandbox's /workspace. */
function withRelativePaths(f: StructuredFailure): StructuredFailure {
  return { ...f, message: f.message.replaceAll("/workspace/", "") };
}

export type { StructuredFailure };
