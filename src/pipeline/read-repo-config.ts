import { parseRepoConfig } from "../domain/config/parse-repo-config.js";
import { type RepoConfig, RepoConfigSchema } from "../domain/config/repo-config.js";
import type { Forge } from "./forge.js";

export const CONFIG_PATH = ".github/swarm.yml";

/**
 * The repository's config at `ref`, or the defaults when there is none. Stages after planning use this: the
 * plan stage already refused an invalid config with a comment, so an invalid one here means defaults too.
 */
export async function readRepoConfig(forge: Forge, ref: string): Promise<RepoConfig> {
  const text = await forge.readFile(ref, CONFIG_PATH);
  const parsed = text === null ? null : parseRepoConfig(text);
  return parsed?.ok ? parsed.config : RepoConfigSchema.parse({});
}
