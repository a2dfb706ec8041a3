import { parseRepoConfig } from "../domain/config/parse-repo-config.js";
import { type RepoConfig, RepoConfigSchema } from "../domain/config/repo-config.js";
import { ConfigError } from "../domain/errors.js";
import type { Forge } from "./forge.js";
import { CONFIG_PATH } from "./read-repo-config.js";

/**
 * The repository's config at `ref` for a run about to start where nobody reads a comment (the terminal):
 * the defaults when there is none, and a ConfigError naming each problem when it has any, so the run stops
 * before it begins (exit 2) rather than being refused later. Stages past planning keep `readRepoConfig`.
 */
export async function requireRepoConfig(forge: Forge, ref: string): Promise<RepoConfig> {
  const text = await forge.readFile(ref, CONFIG_PATH);
  if (text === null) return RepoConfigSchema.parse({});
  const parsed = parseRepoConfig(text);
  if (parsed.ok) return parsed.config;
  throw new ConfigError({
    problem: `\`${CONFIG_PATH}\` on \`${ref}\` has ${parsed.problems.length === 1 ? "a problem" : `${parsed.problems.length} problems`}:`,
    details: parsed.problems.map(
      (p) => `${p.line === undefined ? "" : `line ${p.line}, `}${p.path}: ${p.message} (fix: ${p.fix})`,
    ),
    fix: "Correct the file (`npx swarm config validate` checks it), commit it, and run again.",
  });
}
