import { readFile, stat } from "node:fs/promises";
import { configSizeProblem } from "../domain/config/config-size-problem.js";
import { formatConfigProblems } from "../domain/config/format-config-problems.js";
import { parseRepoConfig } from "../domain/config/parse-repo-config.js";
import type { RepoConfig } from "../domain/config/repo-config.js";

export type ConfigFile = { ok: true; config: RepoConfig } | { ok: false; message: string };

/**
 * A swarm.yml on disk, for the CLI: its size is checked before it is read (a huge file is never loaded), and
 * it is parsed from its bytes, so binary or non-UTF-8 content is named as such. `message` is for stderr.
 */
export async function readConfigFile(path: string, createHint: string): Promise<ConfigFile> {
  const cannot = (why: string) => ({
    ok: false as const,
    message: `${path}: ${why}.\n    fix: pass the path of your swarm.yml, or create ${createHint}.`,
  });
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return cannot("it is a directory");
    if (!info.isFile()) return cannot("it is not a regular file"); // a device or a pipe may never end
    const tooLarge = configSizeProblem(info.size);
    if (tooLarge) return { ok: false, message: formatConfigProblems(path, [tooLarge]) };
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return cannot(code === "ENOENT" ? "no such file" : `cannot read it (${code ?? String(error)})`);
  }
  const result = parseRepoConfig(bytes);
  return result.ok ? result : { ok: false, message: formatConfigProblems(path, result.problems) };
}
