import { firstLines, relativePath, type StructuredFailure, stripAnsi } from "./structured-failure.js";

const DIAGNOSTIC = /^error(?:\[(E\d+)\])?: (.+)$/;
const ARROW = /^\s*--> (.+?):(\d+):(\d+)$/;
const LABEL = /^\s*(?:\d+\s*)?\|\s*[\s|]*[\^-]+\s+(.+)$/;
const NOTE = /^\s*= ((?:note|help): .+)$/;
const TEST = /^---- (\S+) stdout ----$/;
const PANIC = /^thread '(.+?)'(?: \(\d+\))? panicked at (.+?):(\d+):(\d+):$/;
const OLD_PANIC = /^thread '(.+?)' panicked at '(.*)', (.+?):(\d+):(\d+)$/;

/**
 * cargo's output: rustc's errors (`error[E0308]: mismatched types`, the `-->` line that says where, and the
 * labels that say what) and failing tests (`---- tests::adds stdout ----`, then where the test panicked and
 * its message: an assertion's left and right values).
 */
export function parseCargo(output: string): StructuredFailure[] {
  const lines = stripAnsi(output).split("\n");
  const failures: StructuredFailure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trimEnd();
    const diagnostic = DIAGNOSTIC.exec(line);
    const arrow = diagnostic ? ARROW.exec(lines[i + 1] ?? "") : null;
    if (diagnostic && arrow) {
      const details: string[] = [];
      for (let j = i + 2; j < lines.length && (lines[j] ?? "").trim() !== ""; j++) {
        const label = LABEL.exec(lines[j] ?? "") ?? NOTE.exec(lines[j] ?? "");
        if (label?.[1]) details.push(label[1].trim());
      }
      failures.push({
        file: relativePath(arrow[1] ?? ""),
        line: Number(arrow[2]),
        column: Number(arrow[3]),
        message: firstLines(
          [`${diagnostic[1] ? `${diagnostic[1]}: ` : ""}${diagnostic[2]}`, ...details].join("\n"),
        ),
        kind: "error",
      });
      continue;
    }
    const test = TEST.exec(line);
    if (!test) continue;
    for (let j = i + 1; j < lines.length && !TEST.test(lines[j] ?? ""); j++) {
      const at = lines[j] ?? "";
      const panic = PANIC.exec(at);
      const old = panic ? null : OLD_PANIC.exec(at);
      if (!panic && !old) continue;
      const message: string[] = old ? [old[2] ?? ""] : [];
      if (panic)
        for (let k = j + 1; k < lines.length; k++) {
          const next = lines[k] ?? "";
          if (next.trim() === "" || /^(stack backtrace:|note: |---- )/.test(next)) break;
          message.push(next.trimEnd());
        }
      failures.push({
        file: relativePath(((panic ? panic[2] : old?.[3]) ?? "").replace(/^\.\//, "")),
        line: Number(panic ? panic[3] : old?.[4]),
        column: Number(panic ? panic[4] : old?.[5]),
        test: test[1] ?? "",
        message: firstLines(message.join("\n") || "panicked"),
        kind: "test-failure",
      });
      break;
    }
  }
  return failures;
}
