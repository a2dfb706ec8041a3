import { relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

// `path/to/file.ext:12:5: message`, `path/to/file.ext:12: message`, or a stack frame `at … (file:12:5)`. The
// message must say something: a bare number is a column that an arrow line (`--> file:2:5`) left over.
const LOCATED =
  /^(?:.*?\s)?((?:\/|\.\/)?[\w@.-]+(?:\/[\w@.-]+)*\.\w{1,8}):(\d+)(?::(\d+))?(?::|\s+-)\s*(?!\d+$)(.+)$/;

export function parseGeneric(output: string): StructuredFailure[] {
  const seen = new Set<string>();
  return output.split("\n").flatMap((raw) => {
    const line = stripAnsi(raw).trim();
    const m = LOCATED.exec(line);
    if (!m || m[1]?.includes("node_modules")) return [];
    const key = `${m[1]}:${m[2]}:${m[4]}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [
      {
        file: relativePath(m[1] ?? ""),
        line: Number(m[2]),
        column: m[3] ? Number(m[3]) : null,
        message: (m[4] ?? "").trim(),
        kind: "error" as const,
      },
    ];
  });
}
