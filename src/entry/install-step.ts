import type { CommandCheck } from "../domain/checks/check-run.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { type CheckOptions, runInstallStep } from "../sandbox/run-checks.js";
import type { InstallReuse } from "../workspace/install-reuse.js";

/**
 * The repository's install step in `dir` (null when it has none), taking what the same install left in
 * another working copy of this process when it can.
 */
export async function installStep(
  dir: string,
  config: Pick<RepoConfig, "validation" | "sandbox">,
  options: CheckOptions & { installs?: InstallReuse } = {},
): Promise<CommandCheck | null> {
  const command = config.validation.install;
  if (!command) return null;
  const install = async () => (await runInstallStep(dir, config, options)) as CommandCheck; // it has a command
  return options.installs ? options.installs(dir, command, install) : install();
}
