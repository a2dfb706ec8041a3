import { resolveImport } from "../../context/file-graph.js";
import { parseSource } from "../../context/parse-source.js";
import type { CheckResult } from "../forge.js";

const MAX_FILES = 300;

/**
 * Why a failed check's failures lie outside the change, or null when they may not: every file its
 * annotations point at exists at the head, is not one the change touched, and imports (through relative
 * imports, followed to the end) nothing the change touched. A check whose failures name no file says
 * nothing here.
 */
export async function failingOutsideChange(
  check: Pick<CheckResult, "annotations">,
  changed: ReadonlySet<string>,
  head: { files: ReadonlySet<string>; read: (path: string) => Promise<string | null> },
): Promise<string | null> {
  const paths = [...new Set(check.annotations.map((a) => a.path.replace(/^\.\//, "")))].filter((p) =>
    head.files.has(p),
  );
  if (paths.length === 0) return null;
  const seen = new Set<string>();
  const todo = [...paths];
  while (todo.length > 0) {
    const path = todo.shift() as string;
    if (seen.has(path)) continue;
    if (changed.has(path)) return null;
    seen.add(path);
    // Too wide a web of imports to follow: not sure, so not flaky.
    if (seen.size > MAX_FILES) return null;
    const text = await head.read(path);
    const parsed = text === null ? null : await parseSource(path, text);
    // A file whose imports cannot be read may reach the change: not sure, so not flaky.
    if (text !== null && parsed === null) return null;
    for (const spec of parsed?.imports ?? []) {
      const to = resolveImport(path, spec.replace(/^["']|["']$/g, ""), (p) => head.files.has(p));
      if (to && !seen.has(to)) todo.push(to);
    }
  }
  const named = paths.map((p) => `\`${p}\``).join(", ");
  return `it fails in ${named}, which this change does not touch, nor anything ${paths.length === 1 ? "it imports" : "they import"}`;
}

/** The files a unified diff touches (both sides of a rename). */
export function filesOfDiff(diff: string): Set<string> {
  const files = new Set<string>();
  for (const m of diff.matchAll(/^diff --git a\/(.+?) b\/(.+)$/gm)) {
    if (m[1]) files.add(m[1]);
    if (m[2]) files.add(m[2]);
  }
  return files;
}
