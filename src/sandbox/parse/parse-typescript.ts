import { relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

// `src/a.ts(3,7): error TS2322: message` (tsc --pretty false) and `src/a.ts:3:7 - error TS2322: message`.
const PLAIN = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.+)$/;
const PRETTY = /^(.+?):(\d+):(\d+) - error (TS\d+): (.+)$/;

export function parseTypeScript(output: string): StructuredFailure[] {
  return output.split("\n").flatMap((raw) => {
    const line = stripAnsi(raw).trim();
    const m = PLAIN.exec(line) ?? PRETTY.exec(line);
    if (!m) return [];
    return [
      {
        file: relativePath(m[1] ?? ""),
        line: Number(m[2]),
        column: Number(m[3]),
        message: `${m[4]}: ${m[5]}`,
        kind: "type-error" as const,
      },
    ];
  });
}
