// Tool calls as a real agent makes them: Anthropic's bash and text-editor tools with their real input fields
// (the fake refuses any other shape), and swarm's own run_checks and finish, and the reviewer's diff and job_log.
import { reply, type ScriptedReply } from "./script.js";

const EDITOR = "str_replace_based_edit_tool";
type Extra = Partial<ScriptedReply>;

export const call = {
  bash: (command: string, extra: Extra = {}) => reply.tool("bash", { command }, extra),
  restart: (extra: Extra = {}) => reply.tool("bash", { restart: true }, extra),
  view: (path: string, range?: [number, number], extra: Extra = {}) =>
    reply.tool(EDITOR, { command: "view", path, ...(range ? { view_range: range } : {}) }, extra),
  create: (path: string, fileText: string, extra: Extra = {}) =>
    reply.tool(EDITOR, { command: "create", path, file_text: fileText }, extra),
  replace: (path: string, oldStr: string, newStr: string, extra: Extra = {}) =>
    reply.tool(EDITOR, { command: "str_replace", path, old_str: oldStr, new_str: newStr }, extra),
  insert: (path: string, line: number, text: string, extra: Extra = {}) =>
    reply.tool(EDITOR, { command: "insert", path, insert_line: line, insert_text: text }, extra),
  runChecks: (extra: Extra = {}) => reply.tool("run_checks", {}, extra),
  install: (extra: Extra = {}) => reply.tool("install", {}, extra),
  finish: (summary: string, handoff = "", extra: Extra = {}) =>
    reply.tool("finish", { summary, handoff }, extra),
  /** The reviewer's: the changed files, or one file's diff (a page of it). */
  diff: (path?: string, page?: number, extra: Extra = {}) =>
    reply.tool("diff", { ...(path ? { path } : {}), ...(page ? { page } : {}) }, extra),
  /** The reviewer's: a page of a failing check's log, or the lines that match a regular expression. */
  jobLog: (check: string, what: { page: number } | { search: string; context?: number }, extra: Extra = {}) =>
    reply.tool("job_log", { check, ...what }, extra),
};
