// Tool calls as a real agent makes them: Anthropic's bash and text-editor tools with their real input fields
// (the fake refuses any other shape), and swarm's own run_checks and finish.
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
};
