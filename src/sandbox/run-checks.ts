import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { CheckRun, CommandCheck } from "../domain/checks/check-run.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { keepEnds } from "./keep-ends.js";
import { parseFailures } from "./parse/parse-failures.js";
import { stripAnsi } from "./parse/structured-failure.js";
import { runSandboxed } from "./run-sandboxed.js";
import { limitsFromConfig, type SandboxBind } from "./sandbox-types.js";

/** Raw output kept per command for the agent, besides the failures parsed from all of it. */
export const CHECK_OUTPUT_CHARS = 12_000;
/** Output read for failures: a verbose test run's failures in its middle are found too. */
const PARSED_OUTPUT_BYTES = 4 * 1024 * 1024;

const CACHE = "/cache";

export type CheckOptions = {
  /**
   * A download cache for the repository (npm, pip, yarn), given to the install step only, so each working
   * copy installs from it instead of the network after the first. The checks never see it.
   */
  cacheDir?: string;
};

/** The environment and binds that point package managers at the cache (made if it is not there yet). */
async function cacheOf(
  cacheDir: string | undefined,
): Promise<{ env: Record<string, string>; binds: SandboxBind[] }> {
  if (!cacheDir) return { env: {}, binds: [] };
  await mkdir(cacheDir, { recursive: true });
  return {
    env: {
      npm_config_cache: join(CACHE, "npm"),
      YARN_CACHE_FOLDER: join(CACHE, "yarn"),
      PIP_CACHE_DIR: join(CACHE, "pip"),
      XDG_CACHE_HOME: join(CACHE, "xdg"),
    },
    binds: [{ host: cacheDir, sandbox: CACHE, writable: true }],
  };
}

/** One command in the sandbox, stdout and stderr joined in the order they were written, judged and parsed. */
export async function runCheckCommand(
  dir: string,
  command: string,
  config: Pick<RepoConfig, "sandbox">,
  options: CheckOptions & { network?: boolean } = {},
): Promise<CommandCheck> {
  const network = options.network ?? false;
  const cache = await cacheOf(options.cacheDir);
  const r = await runSandboxed({
    cwd: dir,
    command: `{ ${command}\n} 2>&1`,
    network,
    mode: config.sandbox.mode,
    limits: limitsFromConfig(config.sandbox),
    env: cache.env,
    binds: cache.binds,
    keepOutputBytes: PARSED_OUTPUT_BYTES,
  });
  const output = stripAnsi(`${r.stdoutTail}${r.stderrTail ? `\n${r.stderrTail}` : ""}`);
  return {
    command,
    exitCode: r.exitCode,
    passed: r.exitCode === 0 && r.limitsHit.length === 0,
    skipped: false,
    seconds: r.durationMs / 1000,
    limitsHit: r.limitsHit,
    failures: r.exitCode === 0 ? [] : parseFailures(output),
    output: keepEnds(output, CHECK_OUTPUT_CHARS),
  };
}

/** `validation.install` with the network when the config allows it; null when there is none. */
export async function runInstallStep(
  dir: string,
  config: Pick<RepoConfig, "validation" | "sandbox">,
  options: CheckOptions = {},
): Promise<CommandCheck | null> {
  if (!config.validation.install) return null;
  return runCheckCommand(dir, config.validation.install, config, {
    ...options,
    network: config.validation.installNetwork,
  });
}

/**
 * `validation.commands`, each on its own in the sandbox (no network), in order: every command runs, so the
 * agent sees all that fails at once, as CI would show it.
 */
export async function runCheckCommands(
  dir: string,
  config: Pick<RepoConfig, "validation" | "sandbox">,
): Promise<CheckRun> {
  const commands: CommandCheck[] = [];
  for (const command of config.validation.commands)
    commands.push(await runCheckCommand(dir, command, config));
  return { install: null, commands };
}
