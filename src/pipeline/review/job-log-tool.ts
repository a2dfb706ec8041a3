import { z } from "zod";
import { untrusted } from "../../model/prompt/untrusted.js";
import { type AgentTool, defineTool } from "../../model/run-agent.js";
import type { CheckResult } from "../forge.js";

/** Lines of a log in one page; a line past LINE_CHARACTERS is cut (minified bundles, base64 blobs). */
export const LOG_PAGE_LINES = 200;
const LINE_CHARACTERS = 1_000;
const MAX_MATCHES = 40;
const DEFAULT_CONTEXT = 3;

// GitHub Actions puts a timestamp before every line, and tools colour their output; neither helps to read it.
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/**
 * `job_log`: the whole log of a failing check, not only its end: a page of it with line numbers, or the
 * lines that match a regular expression with a few lines around each, numbered the same way, so a failure in
 * the middle of a long log is found by searching and then read in its page.
 */
export function jobLogTool(options: {
  checks: readonly Pick<CheckResult, "id" | "name" | "conclusion" | "summary">[];
  readLog: (checkRunId: number) => Promise<string | null>;
}): AgentTool<never> {
  const logs = new Map<number, Promise<string[] | null>>();
  const linesOf = (id: number) => {
    let lines = logs.get(id);
    if (!lines) {
      lines = options.readLog(id).then((text) =>
        text === null
          ? null
          : text
              .replace(/\r\n?/g, "\n")
              .replace(/\n$/, "")
              .split("\n")
              .map((l) => l.replace(TIMESTAMP, "").replace(ANSI, "")),
      );
      logs.set(id, lines);
    }
    return lines;
  };
  const names = options.checks.map((c) => `"${c.name}"`).join(", ");
  const show = (line: string) =>
    line.length > LINE_CHARACTERS
      ? `${line.slice(0, LINE_CHARACTERS)} [line cut: ${line.length} characters]`
      : line;

  return defineTool({
    name: "job_log",
    description: `The whole log of a failing check (${names}), with line numbers. Give \`page\` (${LOG_PAGE_LINES} lines a page, from 1; the answer says how many there are) to read it, or \`search\` (a JavaScript regular expression, case-sensitive, such as "FAIL|Error") to get every matching line with \`context\` lines around it (${DEFAULT_CONTEXT} when left out), then read the page around a match.`,
    input: z.object({
      check: z.string().describe("The check's name, as listed."),
      page: z
        .int()
        .min(1)
        .optional()
        .describe("Which page to read; 1 when neither page nor search is given."),
      search: z.string().min(1).optional().describe("A regular expression to find lines with."),
      context: z.int().min(0).max(20).optional().describe("Lines shown before and after each match."),
    }),
    run: async (input) => {
      const check =
        options.checks.find((c) => c.name === input.check) ??
        options.checks.find((c) => c.name.toLowerCase() === input.check.trim().toLowerCase());
      if (!check)
        return {
          content: `Error: no failing check is called "${input.check}". The failing checks: ${names || "(none)"}.`,
          isError: true,
        };
      const lines = await linesOf(check.id);
      if (lines === null)
        return {
          content: `Error: no log can be read for "${check.name}" (it is not a GitHub Actions job, or its log has expired). What it reported is in the prompt.`,
          isError: true,
        };
      const pages = Math.max(1, Math.ceil(lines.length / LOG_PAGE_LINES));
      const numbered = (i: number, mark = "") =>
        `${String(i + 1).padStart(6)}${mark}\t${show(lines[i] ?? "")}`;
      const what = `"${check.name}" (${check.conclusion ?? "not finished"}), ${lines.length} lines, ${pages} page${pages === 1 ? "" : "s"}`;

      if (input.search !== undefined) {
        let pattern: RegExp;
        try {
          pattern = new RegExp(input.search);
        } catch (error) {
          return {
            content: `Error: ${input.search} is not a valid regular expression: ${(error as Error).message}`,
            isError: true,
          };
        }
        const hits = lines.flatMap((l, i) => (pattern.test(l) ? [i] : []));
        if (hits.length === 0) return `No line of the log of ${what} matches /${input.search}/.`;
        const shown = hits.slice(0, MAX_MATCHES);
        const around = input.context ?? DEFAULT_CONTEXT;
        const hit = new Set(shown);
        const out: string[] = [];
        let end = -1;
        for (const i of shown) {
          const from = Math.max(0, i - around, end + 1);
          if (end >= 0 && from > end + 1) out.push("--");
          for (let j = from; j <= Math.min(lines.length - 1, i + around); j++) {
            out.push(numbered(j, hit.has(j) ? ":" : "-"));
            end = j;
          }
        }
        const more =
          hits.length > shown.length
            ? `\nOnly the first ${shown.length} of ${hits.length} matches are shown: narrow the search, or read the pages.`
            : "";
        return `${hits.length} line${hits.length === 1 ? "" : "s"} of the log of ${what} match /${input.search}/ (":" marks a match, "-" a line around it; line ${hits[0] === undefined ? 1 : hits[0] + 1} is on page ${Math.floor((hits[0] ?? 0) / LOG_PAGE_LINES) + 1}):\n${untrusted("check-log", out.join("\n"), { check: check.name })}${more}`;
      }

      const n = input.page ?? 1;
      if (n > pages)
        return {
          content: `Error: the log of ${what}; ask for page 1 to ${pages}.`,
          isError: true,
        };
      const from = (n - 1) * LOG_PAGE_LINES;
      const to = Math.min(lines.length, from + LOG_PAGE_LINES);
      const body = Array.from({ length: to - from }, (_, k) => numbered(from + k)).join("\n");
      return `The log of ${what}: page ${n}, lines ${from + 1}-${to}:\n${untrusted("check-log", body, { check: check.name })}`;
    },
  });
}
