import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Forge } from "../pipeline/forge.js";
import type { CheckoutFor, PlannerCheckout } from "../pipeline/plan/planner-checkout.js";
import { limitsFromConfig } from "../sandbox/sandbox-types.js";
import { openShellSession } from "../sandbox/shell-session.js";
import { gitClone } from "../workspace/git-transport.js";
import { git, updatedMirror } from "../workspace/git-workspace.js";
import { openWorkingCopy } from "../workspace/local-working-copy.js";
import { contextOfCopy, PLANNER_CONTEXT_TOKENS } from "./code-context.js";

/** Output kept per command of the planner's shell, its start and end (as the coder's). */
const SHELL_OUTPUT_BYTES = 30_000;

/**
 * A checkout as the planner explores it: its files, a shell in the sandbox with the checkout mounted
 * read-only and no network (none without bubblewrap, which alone can mount it so), and its code map.
 */
export async function plannerCheckoutOf(dir: string): Promise<PlannerCheckout> {
  return {
    files: await openWorkingCopy(dir),
    openShell: (sandbox) =>
      sandbox.mode === "bubblewrap"
        ? openShellSession({
            cwd: dir,
            readOnly: true,
            mode: "bubblewrap",
            limits: limitsFromConfig(sandbox),
            commandTimeoutMs: sandbox.shellSeconds * 1000,
            keepOutputBytes: SHELL_OUTPUT_BYTES,
          })
        : null,
    codeContext: (query) => contextOfCopy(dir, query, PLANNER_CONTEXT_TOKENS),
  };
}

/** The planner's checkout on a worker: a short-lived clone of the ref (borrowing from the worker's mirror). */
export function cloneCheckout(
  options: {
    forgeFor: (installationId: number, owner: string, repo: string) => Forge;
    tokenFor: (installationId: number) => Promise<string | undefined>;
    mirrorsDir?: string;
  },
  installationId: number,
  owner: string,
  repo: string,
): CheckoutFor {
  return async (ref, work) => {
    const forge = options.forgeFor(installationId, owner, repo);
    const remote = await forge.cloneUrl();
    const token = await options.tokenFor(installationId);
    const auth = token ? { token } : {};
    const top = await mkdtemp(join(tmpdir(), "swarm-plan-"));
    try {
      const reference = options.mirrorsDir
        ? await updatedMirror(options.mirrorsDir, remote, auth)
        : undefined;
      const dir = join(top, "work");
      await gitClone(remote, dir, auth, { branch: ref, ...(reference ? { reference } : {}) });
      return await work(await plannerCheckoutOf(dir));
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  };
}

/**
 * The planner's checkout of a local repository: a shared clone of the ref, so it sees what is committed
 * (not edits in the working tree) and nothing it runs can touch the repository itself.
 */
export function localCheckout(repoDir: string): CheckoutFor {
  return async (ref, work) => {
    const dir = await mkdtemp(join(tmpdir(), "swarm-plan-"));
    try {
      await git(dir, "clone", "-q", "--shared", "--branch", ref, repoDir, ".");
      return await work(await plannerCheckoutOf(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
