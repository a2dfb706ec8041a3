import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

const TEST = /^\s*FAIL\s+(\S+)\s+>\s+(.+?)\s*$/;
const SUITE = /^\s*FAIL\s+(\S+)\s+\[\s*\S+\s*\]\s*$/;
const AT = /^\s*❯\s+(.+?):(\d+):(\d+)\s*$/;
const RULE = /^\s*⎯/;

/**
 * vitest's default reporter: each ` FAIL  file > suite > test` (or ` FAIL  file [ file ]` for a file that
 * failed as a whole) followed by the error and its diff, then ` ❯ file:line:col` and a code frame.
 */
export function parseVitestText(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const failures: StructuredFailure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const test = TEST.exec(line);
    const suite = test ? null : SUITE.exec(line);
    if (!test && !suite) continue;
    const file = relativePath((test ?? suite)?.[1] ?? "");
    const message: string[] = [];
    let at: RegExpExecArray | null = null;
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j] ?? "";
      if (TEST.test(next) || SUITE.test(next) || RULE.test(next)) break;
      at = AT.exec(next);
      if (at) break;
      message.push(next.trimEnd());
    }
    failures.push({
      file,
      line: at ? Number(at[2]) : null,
      column: at ? Number(at[3]) : null,
      ...(test?.[2] ? { test: test[2] } : {}),
      message: firstLines(message.join("\n").trim() || "failed"),
      kind: test ? "test-failure" : "error",
    });
  }
  return failures;
}
