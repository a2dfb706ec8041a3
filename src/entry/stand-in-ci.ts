import type { RepoConfig } from "../domain/config/repo-config.js";
import { refreshDashboard } from "../pipeline/dashboard/refresh-dashboard.js";
import type { Forge } from "../pipeline/forge.js";
import { SWARM_CHECK } from "../pipeline/swarm-check.js";
import type { RemoteAuth } from "../workspace/git-transport.js";
import type { InstallReuse } from "../workspace/install-reuse.js";
import { runLocalCi } from "./local-ci.js";

/**
 * A PR head on which no check but swarm's has appeared `validation.ciWaitMinutes` after swarm pushed it:
 * the repository has no PR checks, so swarm runs `validation.ci` (or `commands`) itself in this worker's
 * sandbox, records each as a check run on the head (as `swarm run` does), and says so on the dashboard.
 * Returns false when the repository's own CI did report (nothing to stand in for).
 */
export async function standInForCi(
  forge: Forge,
  config: RepoConfig,
  input: { spec: number; headSha: string },
  options: { auth: RemoteAuth; cacheDir?: string; installs?: InstallReuse },
): Promise<boolean> {
  const theirs = (await forge.listCheckResults(input.headSha)).filter((c) => c.name !== SWARM_CHECK);
  if (theirs.length > 0) return false;
  const commands = config.validation.ci ?? config.validation.commands;
  await refreshDashboard(forge, input.spec, {
    headline: `No check appeared on \`${input.headSha.slice(0, 7)}\` within ${config.validation.ciWaitMinutes} minute${config.validation.ciWaitMinutes === 1 ? "" : "s"} (\`validation.ciWaitMinutes\`), so swarm runs ${commands.length > 0 ? commands.map((c) => `\`${c}\``).join(", ") : "no command (none configured)"} itself, in its sandbox.`,
    ifHead: input.headSha,
  });
  await runLocalCi(forge, config, input.headSha, undefined, {
    auth: options.auth,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.installs ? { installs: options.installs } : {}),
  });
  return true;
}
