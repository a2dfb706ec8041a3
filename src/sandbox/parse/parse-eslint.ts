import { relativePath, type StructuredFailure } from "./structured-failure.js";

type EslintResult = {
  filePath: string;
  messages: { ruleId: string | null; severity: number; message: string; line?: number; column?: number }[];
};

export function isEslintReport(value: unknown): value is EslintResult[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((r) => typeof r === "object" && r !== null && "filePath" in r && Array.isArray(r.messages))
  );
}

/** Errors (severity 2) from ESLint's JSON formatter (`--format json`); warnings do not fail a check. */
export function parseEslint(report: EslintResult[]): StructuredFailure[] {
  return report.flatMap((file) =>
    file.messages
      .filter((m) => m.severity === 2)
      .map((m) => ({
        file: relativePath(file.filePath),
        line: m.line ?? null,
        column: m.column ?? null,
        message: m.ruleId ? `${m.message} (${m.ruleId})` : m.message,
        kind: "lint-error" as const,
      })),
  );
}
