import type { RepoConfig } from "../domain/config/repo-config.js";
import { runSandboxed } from "./run-sandboxed.js";
import { limitsFromConfig, type SandboxLimits } from "./sandbox-types.js";

/** How the repository's config says its commands are isolated and limited. */
export function sandboxOf(config: Pick<RepoConfig, "sandbox">): {
  mode: RepoConfig["sandbox"]["mode"];
  limits: SandboxLimits;
} {
  return { mode: config.sandbox.mode, limits: limitsFromConfig(config.sandbox) };
}

/**
 * The repository's install step (`validation.install`) in `dir`, in the sandbox, with the network when
 * `validation.installNetwork` allows it. Returns its output when it fails; null when it passed or there is none.
 */
export async function runInstall(
  dir: string,
  config: Pick<RepoConfig, "validation" | "sandbox">,
): Promise<string | null> {
  if (!config.validation.install) return null;
  const install = await runSandboxed({
    cwd: dir,
    command: config.validation.install,
    network: config.validation.installNetwork,
    ...sandboxOf(config),
  });
  return install.exitCode === 0 ? null : `${install.stdoutTail}\n${install.stderrTail}`;
}
