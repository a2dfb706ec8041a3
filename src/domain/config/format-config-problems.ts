import type { ConfigProblem } from "./parse-repo-config.js";

/** Problems as compiler-style lines (`file:line:col  key  message`), each followed by its fix. */
export function formatConfigProblems(file: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.flatMap((p) => {
    const where = p.line === undefined ? file : `${file}:${p.line}:${p.column ?? 1}`;
    return [`${where}  ${p.path}: ${p.message}`, `    fix: ${p.fix}`];
  });
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [...lines, "", `${file}: ${count}; the configuration reference lists every key.`].join("\n");
}
