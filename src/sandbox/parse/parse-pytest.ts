import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

const HEADER = /^_{3,} (.+?) _{3,}$/;
const SECTION = /^={3,}/;
const LOCATION = /^([^\s:<][^:]*\.py):(\d+):(?: (.*))?$/;
// `FAILED path::test[param with spaces] - message`: the test id may hold spaces inside its brackets.
const SUMMARY = /^(FAILED|ERROR) ([^\s:]+\.py)(?:::(.+?))?(?: - (.*))?$/;

type Block = {
  name: string;
  errors: string[];
  source: string | null;
  locations: { file: string; line: number }[];
};

/**
 * pytest's text report: each failure's block (the `>` line that failed, its `E` lines: the assertion and how
 * its values came about) matched to the short test summary's `FAILED file::test` lines. Collection errors
 * (a syntax error, an import that fails) come as `ERROR file`.
 */
export function parsePytest(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const blocks: Block[] = [];
  let block: Block | null = null;
  const summary: { kind: string; file: string; test: string | null; message: string }[] = [];
  for (const raw of lines) {
    const line = raw.trimEnd();
    const header = HEADER.exec(line);
    if (header?.[1] && !/^_ _/.test(line)) {
      block = { name: header[1], errors: [], source: null, locations: [] };
      blocks.push(block);
      continue;
    }
    if (SECTION.test(line)) block = null;
    const s = SUMMARY.exec(line);
    if (s?.[1] && s[2]?.includes(".py")) {
      summary.push({ kind: s[1], file: s[2], test: s[3] ?? null, message: s[4] ?? "" });
      continue;
    }
    if (!block) continue;
    if (line.startsWith("E ") || line === "E") block.errors.push(line.slice(1));
    else if (line.startsWith(">")) block.source ??= line.slice(1).trim();
    else {
      const at = LOCATION.exec(line);
      if (at?.[1]) block.locations.push({ file: relativePath(at[1]), line: Number(at[2]) });
    }
  }

  const failures = summary.map((entry): StructuredFailure => {
    const file = relativePath(entry.file);
    const found = blocks.find((b) =>
      entry.test ? b.name === entry.test.replaceAll("::", ".") : b.name === `ERROR collecting ${entry.file}`,
    );
    return fromBlock(
      found,
      file,
      entry.test,
      entry.message,
      entry.kind === "ERROR" ? "error" : "test-failure",
    );
  });
  if (failures.length > 0) return failures;
  // Without the short summary (-rN), the blocks alone.
  return blocks
    .filter((b) => b.errors.length > 0)
    .map((b) =>
      fromBlock(
        b,
        b.locations.at(-1)?.file ?? "",
        b.name.startsWith("ERROR") ? null : b.name,
        "",
        "test-failure",
      ),
    );
}

function fromBlock(
  block: Block | undefined,
  file: string,
  test: string | null,
  summaryMessage: string,
  kind: StructuredFailure["kind"],
): StructuredFailure {
  const own = block?.locations.filter((l) => l.file === file).at(-1) ?? block?.locations[0];
  const innermost = block?.locations.at(-1);
  const detail = block?.errors.length ? dedent(block.errors).join("\n") : summaryMessage;
  const raisedElsewhere =
    innermost && (innermost.file !== own?.file || innermost.line !== own?.line)
      ? `\n(raised at ${innermost.file}:${innermost.line})`
      : "";
  return {
    file,
    line: own?.file === file ? own.line : null,
    column: null,
    ...(test ? { test } : {}),
    message: firstLines(`${detail || "failed"}${raisedElsewhere}`),
    kind,
  };
}

/** The `E` lines without their common indent, so a caret under a syntax error still points at it. */
function dedent(lines: readonly string[]): string[] {
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0));
}
