import { relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

// `src/a.ts(3,7): error TS2322: message` (tsc --pretty false) and `src/a.ts:3:7 - error TS2322: message`.
const PLAIN = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.+)$/;
const PRETTY = /^(.+?):(\d+):(\d+) - error (TS\d+): (.+)$/;

/** TypeScript's diagnostics, each with the indented lines that explain it (why a type does not fit). */
export function parseTypeScript(output: string): StructuredFailure[] {
  const failures: StructuredFailure[] = [];
  let last: StructuredFailure | null = null;
  for (const raw of output.split("\n")) {
    const plain = stripAnsi(raw).trimEnd();
    const line = plain.trim();
    const m = PLAIN.exec(line) ?? PRETTY.exec(line);
    if (m) {
      last = {
        file: relativePath(m[1] ?? ""),
        line: Number(m[2]),
        column: Number(m[3]),
        message: `${m[4]}: ${m[5]}`,
        kind: "type-error",
      };
      failures.push(last);
    } else if (last && /^ {2,}\S/.test(plain) && !/^\s+\d+\s/.test(plain) && !/^\s*~+$/.test(plain)) {
      last.message += `\n${line}`;
    } else last = null;
  }
  return failures;
}
