import { extractJson } from "./extract-json.js";
import { isEslintReport, parseEslint } from "./parse-eslint.js";
import { parseGeneric } from "./parse-generic.js";
import { isTestReport, parseTestReport } from "./parse-test-report.js";
import { parseTypeScript } from "./parse-typescript.js";
import type { StructuredFailure } from "./structured-failure.js";

/**
 * Structured failures from a check's output: vitest/jest and ESLint JSON reports when the output holds them,
 * TypeScript diagnostics, and otherwise any `file:line:col: message` lines.
 */
export function parseFailures(output: string): StructuredFailure[] {
  const fromJson = extractJson(output).flatMap((doc) =>
    isTestReport(doc) ? parseTestReport(doc) : isEslintReport(doc) ? parseEslint(doc) : [],
  );
  const typeErrors = parseTypeScript(output);
  if (fromJson.length > 0 || typeErrors.length > 0) return [...typeErrors, ...fromJson];
  return parseGeneric(output);
}

export type { StructuredFailure };
