import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

const RUN = /^=== (?:RUN|CONT)\s+(\S+)$/;
const FAIL = /^\s*--- FAIL: (\S+) \([\d.]+s\)$/;
const DONE = /^\s*--- (?:PASS|SKIP): (\S+) \([\d.]+s\)$/;
const LOGGED = /^\s+([\w./-]+\.go):(\d+): (.*)$/;
const COMPILE = /^(\.?\/?[\w./-]+\.go):(\d+):(\d+): (.+)$/;
const FRAME = /^\s+(\/\S+\.go):(\d+)/;

type Logged = { file: string; line: number; text: string; indent: number };

/**
 * `go test`'s output, plain or verbose (-v): each failing test (subtests by their full name) with what it
 * logged (`file.go:12: message`, continued on more indented lines), a test's panic with the first frame in
 * the repository's code, and compiler errors (`./file.go:3:7: message`) of packages that did not build. What
 * a passing test logged is dropped, and a test that failed only through its subtests is left to them.
 */
export function parseGoTest(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const logs = new Map<string, Logged[]>();
  const failed: string[] = [];
  const panics = new Map<string, StructuredFailure>();
  const compiled: StructuredFailure[] = [];
  let current: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    const run = RUN.exec(line);
    const fail = run ? null : FAIL.exec(line);
    const done = run || fail ? null : DONE.exec(line);
    if (run || fail) {
      current = (run ?? fail)?.[1] ?? null;
      if (fail && current && !failed.includes(current)) failed.push(current);
      continue;
    }
    if (done) {
      logs.delete(done[1] ?? "");
      current = null;
      continue;
    }
    const compile = COMPILE.exec(line);
    if (compile) {
      compiled.push({
        file: relativePath(compile[1] ?? ""),
        line: Number(compile[2]),
        column: Number(compile[3]),
        message: (compile[4] ?? "").trim(),
        kind: "error",
      });
      continue;
    }
    const test: string | null = current ?? failed.at(-1) ?? null;
    if (test && line.startsWith("panic: ")) {
      const frame = lines
        .slice(i + 1)
        .map((l) => FRAME.exec(l))
        .find((m) => m && !isGoRoot(m[1] ?? ""));
      panics.set(test, {
        file: frame ? relativePath(frame[1] ?? "") : "",
        line: frame ? Number(frame[2]) : null,
        column: null,
        test,
        message: line.replace(/ \[recovered\]$/, ""),
        kind: "test-failure",
      });
      if (!failed.includes(test)) failed.push(test);
      current = null;
      continue;
    }
    if (!current) continue;
    const logged = LOGGED.exec(line);
    const entries = logs.get(current) ?? [];
    if (logged) {
      entries.push({
        file: relativePath(logged[1] ?? ""),
        line: Number(logged[2]),
        text: (logged[3] ?? "").trim(),
        indent: line.length - line.trimStart().length,
      });
      logs.set(current, entries);
      continue;
    }
    // A logged message goes on over more indented lines.
    const last = entries.at(-1);
    if (last && line.trim() && line.length - line.trimStart().length > last.indent)
      last.text += `\n${line.trim()}`;
  }

  const failures = failed.flatMap((test): StructuredFailure[] => {
    const panic = panics.get(test);
    if (panic) return [panic];
    const entries = logs.get(test) ?? [];
    const at = entries.at(-1);
    if (!at) return []; // it failed through its subtests, which say why
    return [
      {
        file: at.file,
        line: at.line,
        column: null,
        test,
        message: firstLines(entries.map((e) => e.text).join("\n")),
        kind: "test-failure",
      },
    ];
  });
  return [...compiled, ...failures];
}

function isGoRoot(path: string): boolean {
  return /\/(?:lib\/go[^/]*|go)\/src\//.test(path) || path.includes("/pkg/mod/");
}
