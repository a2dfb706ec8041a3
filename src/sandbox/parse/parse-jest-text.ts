import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

// `FAIL src/a.test.js`, and for a slow file `FAIL src/a.test.js (6.214 s)`.
const FILE = /^\s*FAIL\s+(\S+)(?:\s+\([\d.]+ m?s\))?\s*$/;
const CASE = /^\s+● (.+)$/;
const FRAME = /^\s*>?\s*\d*\s+\|/;
const STACK = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/**
 * jest's default reporter: `FAIL file`, then each `● suite › test` with its message (expected and received),
 * a code frame and a stack whose first frame outside node_modules says where.
 */
export function parseJestText(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const failures: StructuredFailure[] = [];
  let file: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const header = FILE.exec(line);
    if (header?.[1]) {
      file = relativePath(header[1]);
      continue;
    }
    const test = file ? CASE.exec(line) : null;
    if (!test?.[1] || !file) continue;
    const name = test[1].trim();
    const message: string[] = [];
    let at: { line: number; column: number } | null = null;
    let inFrame = false;
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j] ?? "";
      if (CASE.test(next) || FILE.test(next) || /^(Test Suites|Tests):/.test(next)) break;
      const stack = STACK.exec(next);
      if (stack) {
        if (!at && !stack[1]?.includes("node_modules"))
          at = { line: Number(stack[2]), column: Number(stack[3]) };
        continue;
      }
      if (FRAME.test(next)) {
        inFrame = true;
        continue;
      }
      if (!inFrame) message.push(next.replace(/^ {4}/, "").trimEnd());
    }
    const whole = name === "Test suite failed to run";
    failures.push({
      file,
      line: at?.line ?? null,
      column: at?.column ?? null,
      ...(whole ? {} : { test: name.replaceAll(" › ", " > ") }),
      message: firstLines(message.join("\n").trim() || "failed"),
      kind: whole ? "error" : "test-failure",
    });
  }
  return failures;
}
