import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RepoConfig } from "../domain/config/repo-config.js";
import type { Annotation, Forge } from "../pipeline/forge.js";
import { NO_CHECKS, NOT_VERIFIED_TITLE } from "../pipeline/review/check-verdict.js";
import { type CheckOptions, runCheckCommand } from "../sandbox/run-checks.js";
import { gitClone, type RemoteAuth } from "../workspace/git-transport.js";
import { git } from "../workspace/git-workspace.js";
import type { InstallReuse } from "../workspace/install-reuse.js";
import { installStep } from "./install-step.js";

export type LocalCheck = { name: string; passed: boolean; seconds: number };

/**
 * What CI is on GitHub, for `swarm run`: the repository's `validation.ci` commands (or its `commands`) on a
 * fresh checkout of `headSha`, each in the sandbox, each recorded as a check run on the local forge, as
 * GitHub Actions would record its jobs. The review stage then reads them as it reads CI's.
 */
export async function runLocalCi(
  forge: Forge,
  config: RepoConfig,
  headSha: string,
  onCheck?: (name: string, state: "running" | LocalCheck) => void,
  /** `auth`: for a remote that needs a token (GitHub, when a worker stands in for missing CI). */
  options: CheckOptions & { installs?: InstallReuse; auth?: RemoteAuth } = {},
): Promise<LocalCheck[]> {
  const commands = config.validation.ci ?? config.validation.commands;
  const dir = await mkdtemp(join(tmpdir(), "swarm-ci-"));
  try {
    await gitClone(await forge.cloneUrl(), dir, options.auth ?? {}, { noCheckout: true });
    await git(dir, "checkout", "-q", headSha);
    for (const command of commands)
      await forge.upsertCheckRun({ name: command, headSha, status: "queued", title: "Queued", summary: "" });
    if (commands.length === 0) {
      // With nothing to run, nothing is verified: a neutral check says so (rather than wait for checks
      // forever), and the review ends the run `unverified`, never green.
      await forge.upsertCheckRun({
        name: "checks",
        headSha,
        status: "completed",
        conclusion: "neutral",
        title: NOT_VERIFIED_TITLE,
        summary: NO_CHECKS,
      });
      return [];
    }
    const install = await installStep(dir, config, options);
    const installFailed = install && !install.passed ? install : null;
    const results: LocalCheck[] = [];
    for (const command of commands) {
      onCheck?.(command, "running");
      await forge.upsertCheckRun({
        name: command,
        headSha,
        status: "in_progress",
        title: "Running",
        summary: "",
      });
      const r = installFailed ? null : await runCheckCommand(dir, command, config);
      const output = r ? r.output : (installFailed?.output ?? "");
      const passed = r?.passed ?? false;
      const annotations: Annotation[] =
        (r ?? installFailed)?.failures
          .filter((f) => f.file && f.line !== null)
          .map((f) => ({
            path: f.file,
            startLine: f.line ?? 1,
            endLine: f.line ?? 1,
            level: "failure",
            message: f.message,
            ...(f.test ? { title: f.test } : {}),
          })) ?? [];
      const tail = output.trim().split("\n").slice(-60).join("\n");
      await forge.upsertCheckRun({
        name: command,
        headSha,
        status: "completed",
        conclusion: passed ? "success" : "failure",
        title: passed
          ? "Passed"
          : r === null
            ? `Install failed: ${config.validation.install}`
            : r.limitsHit.length > 0
              ? `Stopped by limits: ${r.limitsHit.join(", ")}`
              : `Failed with exit code ${r.exitCode}`,
        summary: passed ? (tail.split("\n").at(-1) ?? "") : tail,
        annotations: passed ? [] : annotations,
        // The whole output, which the reviewer pages through and searches (the summary holds only its end).
        log: output,
      });
      const check = { name: command, passed, seconds: r?.seconds ?? 0 };
      results.push(check);
      onCheck?.(command, check);
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
