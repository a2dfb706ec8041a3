import { parseRepoConfig } from "../domain/config/parse-repo-config.js";
import { type RepoConfig, RepoConfigSchema } from "../domain/config/repo-config.js";
import type { Forge } from "./forge.js";

export const CONFIG_PATH = ".github/swarm.yml";

/**
 * The repository's config at `ref` as the run `spec` started with it, or the defaults when there is none.
 * Stages after planning use this: the plan stage already refused an invalid config with a comment, so an
 * invalid one here means defaults too. A config changed mid-run applies to the next run (or a replan).
 */
export async function readRepoConfig(forge: Forge, ref: string, spec?: number): Promise<RepoConfig> {
  const text = await forge.readFile(ref, CONFIG_PATH, spec === undefined ? undefined : { run: spec });
  const parsed = text === null ? null : parseRepoConfig(text);
  return parsed?.ok ? parsed.config : RepoConfigSchema.parse({});
}
