import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

const FAIL = /^(\s*)--- FAIL: (\S+) \([\d.]+s\)$/;
const LOGGED = /^\s+([\w./-]+\.go):(\d+): (.*)$/;
const COMPILE = /^(\.?\/?[\w./-]+\.go):(\d+):(\d+): (.+)$/;
const FRAME = /^\s+(\/\S+\.go):(\d+)/;

/**
 * `go test`'s output: each failing test (`--- FAIL: TestX`, subtests indented under it) with the lines it
 * logged (`file.go:12: message`, continued on more indented lines), a test's panic with the first frame in
 * the repository's code, and compiler errors (`./file.go:3:7: message`) of packages that did not build.
 */
export function parseGoTest(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const failures: StructuredFailure[] = [];
  let test: { name: string; indent: number } | null = null;
  let last: StructuredFailure | null = null;
  let lastIndent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    const fail = FAIL.exec(line);
    if (fail) {
      test = { name: fail[2] ?? "", indent: fail[1]?.length ?? 0 };
      last = null;
      continue;
    }
    const compile = COMPILE.exec(line);
    if (compile) {
      failures.push({
        file: relativePath(compile[1] ?? ""),
        line: Number(compile[2]),
        column: Number(compile[3]),
        message: (compile[4] ?? "").trim(),
        kind: "error",
      });
      last = null;
      continue;
    }
    if (test && line.startsWith("panic: ")) {
      const frame = lines
        .slice(i + 1)
        .map((l) => FRAME.exec(l))
        .find((m) => m && !isGoRoot(m[1] ?? ""));
      failures.push({
        file: frame ? relativePath(frame[1] ?? "") : "",
        line: frame ? Number(frame[2]) : null,
        column: null,
        test: test.name,
        message: line.replace(/ \[recovered\]$/, ""),
        kind: "test-failure",
      });
      test = null;
      last = null;
      continue;
    }
    const logged = test ? LOGGED.exec(line) : null;
    if (test && logged) {
      last = {
        file: relativePath(logged[1] ?? ""),
        line: Number(logged[2]),
        column: null,
        test: test.name,
        message: (logged[3] ?? "").trim(),
        kind: "test-failure",
      };
      lastIndent = line.length - line.trimStart().length;
      failures.push(last);
      continue;
    }
    // A logged message goes on over more indented lines.
    if (last && line.trim() && line.length - line.trimStart().length > lastIndent) {
      last.message = firstLines(`${last.message}\n${line.trim()}`);
      continue;
    }
    if (!line.startsWith(" ")) last = null;
  }
  return failures;
}

function isGoRoot(path: string): boolean {
  return /\/(?:lib\/go[^/]*|go)\/src\//.test(path) || path.includes("/pkg/mod/");
}
