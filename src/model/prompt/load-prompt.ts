import { readFile } from "node:fs/promises";
import type { AgentRole } from "../../domain/config/repo-config.js";
import { renderTemplate } from "./render-template.js";
import { DATA_RULE } from "./untrusted.js";

// prompts/ sits at the package root: two folders up from src/model/prompt and from dist/model/prompt alike.
const PROMPTS = new URL("../../../prompts/", import.meta.url);

/** The system prompt of a role: prompts/<role>.md with its slots filled, ending with the data rule. */
export async function loadPrompt(
  role: AgentRole,
  values: Readonly<Record<string, string>> = {},
): Promise<string> {
  const template = await readFile(new URL(`${role}.md`, PROMPTS), "utf8");
  return `${renderTemplate(template, values, `prompts/${role}.md`).trim()}\n\n${DATA_RULE}`;
}
