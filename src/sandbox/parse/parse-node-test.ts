import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

const NOT_OK = /^(\s*)not ok \d+ - (.+?)(?: # (\w+).*)?$/;
const RESULT = /^\s*(?:not )?ok \d+/;
const FIELD = /^\s*(\w+): ?(.*)$/;

/**
 * `node --test`'s TAP report: each failing test (`not ok N - name`) with its YAML block's location and error
 * (the assertion, expected and actual). A suite that failed only through its tests (`subtestsFailed`) is
 * left to them.
 */
export function parseNodeTest(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const failures: StructuredFailure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const head = NOT_OK.exec(lines[i] ?? "");
    // A failing test marked TODO is expected to fail.
    if (!head || head[3]?.toUpperCase() === "TODO") continue;
    const fields: Record<string, string> = {};
    let key = "";
    // Its YAML block, when it has one; a block left open ends at the next test's line.
    for (i += lines[i + 1]?.trim() === "---" ? 2 : 1; i < lines.length && lines[i]?.trim() !== "..."; i++) {
      const line = lines[i] ?? "";
      if (RESULT.test(line)) {
        i--;
        break;
      }
      const field = FIELD.exec(line);
      // A block scalar (`error: |-`) goes on over the lines indented deeper than its key.
      if (field && line.search(/\S/) <= (head[1]?.length ?? 0) + 2) {
        key = field[1] ?? "";
        fields[key] = (field[2] ?? "").replace(/^\|-?$/, "");
      } else if (key) fields[key] = `${fields[key] ?? ""}\n${line.trim()}`;
    }
    const unquote = (s: string | undefined) => (s ?? "").trim().replace(/^'(.*)'$/s, "$1");
    if (unquote(fields.failureType) === "subtestsFailed") continue;
    const where = /^'?(.+?):(\d+):(\d+)'?$/.exec(fields.location ?? "");
    failures.push({
      file: where ? relativePath(where[1] ?? "") : "",
      line: where ? Number(where[2]) : null,
      column: where ? Number(where[3]) : null,
      test: unquote(head[2]).replace(/\\#/g, "#"),
      message: firstLines(
        [
          unquote(fields.error),
          fields.expected !== undefined ? `expected: ${unquote(fields.expected)}` : "",
          fields.actual !== undefined ? `actual: ${unquote(fields.actual)}` : "",
        ]
          .filter(Boolean)
          .join("\n") || "failed",
      ),
      kind: "test-failure",
    });
  }
  return failures;
}
