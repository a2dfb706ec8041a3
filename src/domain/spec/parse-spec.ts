import { SpecError } from "../errors.js";
import { sanitizeUntrustedText } from "./sanitize-untrusted-text.js";
import type { Spec } from "./spec.js";

type SectionKind = "goal" | "acceptance" | "constraints" | "files";

// Headings are matched by their first words, as people write them in issues.
const SECTION_PATTERNS: readonly [SectionKind, RegExp][] = [
  ["acceptance", /^(acceptance|definition of done|done when|success criteria|criteria|tests?\b)/],
  ["constraints", /^(constraints?|non-goals?|out of scope|limitations?|restrictions?|do not|don't)/],
  ["files", /^(files?|file hints?|relevant files|paths?|where to (look|change))\b/],
];

const HEADING = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/;
const BOLD_HEADING = /^\s{0,3}\*\*(.+?)\*\*:?\s*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/;
const TASK_ITEM = /^\s*[-*+]\s+\[[ xX]\]\s+(.*)$/;
const FENCE = /^\s{0,3}(```|~~~)/;
const CODE_SPAN = /`([^`\n]+)`/g;
const PATH_LIKE = /^(?:\.\/)?[\w@.-]+(?:\/[\w@.*-]+)+\/?$|^[\w@-][\w@.-]*\.[A-Za-z0-9]{1,8}$/;

/**
 * Parses a spec issue. Acceptance criteria are task-list items anywhere, or list items under an
 * "Acceptance" heading; constraints and file hints come from their own sections; the goal is the rest.
 * Throws SpecError when nothing usable is left once hidden text is removed.
 */
export function parseSpec(input: { title: string; body: string | null | undefined }): Spec {
  const title = sanitizeUntrustedText(input.title).replace(/\s+/g, " ").trim();
  const body = sanitizeUntrustedText(input.body ?? "");

  const goalLines: string[] = [];
  const acceptance: string[] = [];
  const constraints: string[] = [];
  const files: string[] = [];
  let section: SectionKind = "goal";
  let inFence = false;

  for (const line of body.split("\n")) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : (HEADING.exec(line) ?? BOLD_HEADING.exec(line));
    if (heading?.[1]) {
      section = classifyHeading(heading[1]);
      if (section === "goal") goalLines.push(line);
      continue;
    }
    const task = inFence ? null : TASK_ITEM.exec(line);
    if (task?.[1]) {
      acceptance.push(task[1].trim());
      continue;
    }
    const item = inFence ? null : LIST_ITEM.exec(line)?.[1]?.trim();
    if (section === "acceptance" && item) acceptance.push(item);
    else if (section === "constraints" && item) constraints.push(item);
    else if (section === "files" && item) files.push(...pathsIn(item, true));
    else if (section === "goal") goalLines.push(line);
  }

  const goal = goalLines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (title === "" && goal === "") {
    throw new SpecError({
      problem: "The spec issue is empty: it has no title or description once hidden text is removed.",
      fix: "Write what to build in the issue body, then add the label again.",
    });
  }
  if (goal === "") {
    throw new SpecError({
      problem: "The spec issue does not say what to build: its body has no description of the goal.",
      fix: "Describe the goal in the issue body, and list acceptance criteria as task items (`- [ ] …`) or under an `## Acceptance` heading.",
    });
  }

  return {
    title: title || firstLine(goal),
    goal,
    acceptanceCriteria: unique(acceptance.filter(Boolean)),
    constraints: unique(constraints.filter(Boolean)),
    fileHints: unique([
      ...files,
      ...[...body.matchAll(CODE_SPAN)].flatMap((m) => pathsIn(m[1] ?? "", false)),
    ]),
  };
}

function classifyHeading(text: string): SectionKind {
  const normalized = text
    .replace(/[*_`:]/g, "")
    .trim()
    .toLowerCase();
  return SECTION_PATTERNS.find(([, pattern]) => pattern.test(normalized))?.[0] ?? "goal";
}

/** File paths in a list item (the whole item may be a path) or in a code span (only if it looks like one). */
function pathsIn(text: string, wholeItem: boolean): string[] {
  const spans = [...text.matchAll(CODE_SPAN)].map((m) => m[1] ?? "");
  const candidates =
    spans.length > 0 ? spans : wholeItem ? [text.split(/\s+[-–—:(]\s*|\s+/)[0] ?? ""] : [text];
  return candidates
    .map((c) => c.trim())
    .filter((c) => PATH_LIKE.test(c) && !c.includes(".."))
    .map((c) => c.replace(/^\.\//, ""));
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").slice(0, 120);
}
