import { firstLines, relativePath, type StructuredFailure } from "./structured-failure.js";

type Assertion = {
  status: string;
  fullName?: string;
  title?: string;
  failureMessages?: string[];
  location?: { line: number; column: number } | null;
};
type FileResult = { name: string; status?: string; message?: string; assertionResults?: Assertion[] };
type Report = { testResults: FileResult[] };

export function isTestReport(value: unknown): value is Report {
  return typeof value === "object" && value !== null && Array.isArray((value as Report).testResults);
}

/** Failures from a vitest or jest JSON report (`--reporter=json`, `--json`): the same shape. */
export function parseTestReport(report: Report): StructuredFailure[] {
  return report.testResults.flatMap((file) => {
    const path = relativePath(file.name);
    const failed = (file.assertionResults ?? []).filter((a) => a.status === "failed");
    const failures = failed.map((a): StructuredFailure => {
      const message = (a.failureMessages ?? []).join("\n");
      const at = a.location ?? lineInStack(message, file.name);
      return {
        file: path,
        line: at?.line ?? null,
        column: at?.column ?? null,
        test: a.fullName ?? a.title ?? "test",
        message: firstLines(withoutStack(message)),
        kind: "test-failure",
      };
    });
    // A file that failed as a whole (a syntax error, an import that throws) has no assertions, only a message.
    if (failures.length === 0 && file.status === "failed" && file.message) {
      const at = lineInStack(file.message, file.name);
      failures.push({
        file: path,
        line: at?.line ?? null,
        column: at?.column ?? null,
        message: firstLines(file.message),
        kind: "test-failure",
      });
    }
    return failures;
  });
}

function lineInStack(message: string, file: string): { line: number; column: number } | null {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

/** A failure message without its stack frames: where it failed is in the location, the rest is the runner's. */
function withoutStack(message: string): string {
  return message
    .split("\n")
    .filter((line) => !/^\s+at /.test(line))
    .join("\n");
}
