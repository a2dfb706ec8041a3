import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIndex, type ParseCache } from "../context/code-index.js";
import { retrieve } from "../context/retrieve.js";
import type { Forge } from "../pipeline/forge.js";
import { gitClone } from "../workspace/git-transport.js";
import { updatedMirror } from "../workspace/git-workspace.js";

/** Token budgets of the code context: the planner's map, and each coder's context. */
export const PLANNER_CONTEXT_TOKENS = 6000;
export const CODER_CONTEXT_TOKENS = 6000;

// One cache of parsed files per process, keyed by content: each node's copy, and the copy after a node's
// commit, parse only the files whose content this worker has not seen.
const parsed: ParseCache = new Map();

/** The context for `query` in a working copy that exists (a node's). */
export async function contextOfCopy(
  dir: string,
  query: { text: string; files: readonly string[] },
  budget = CODER_CONTEXT_TOKENS,
): Promise<string> {
  const index = await buildIndex(dir, { cache: parsed });
  return (await retrieve(index, query, budget)).text;
}

/** The planner's map: a short-lived clone of `ref` (borrowing from the worker's mirror), indexed and ranked. */
export function planContext(
  options: {
    forgeFor: (installationId: number, owner: string, repo: string) => Forge;
    tokenFor: (installationId: number) => Promise<string | undefined>;
    mirrorsDir?: string;
  },
  installationId: number,
  owner: string,
  repo: string,
) {
  return async (ref: string, query: { text: string; files: readonly string[] }): Promise<string> => {
    const forge = options.forgeFor(installationId, owner, repo);
    const remote = await forge.cloneUrl();
    const token = await options.tokenFor(installationId);
    const auth = token ? { token } : {};
    const top = await mkdtemp(join(tmpdir(), "swarm-map-"));
    try {
      const reference = options.mirrorsDir
        ? await updatedMirror(options.mirrorsDir, remote, auth)
        : undefined;
      await gitClone(remote, join(top, "work"), auth, { branch: ref, ...(reference ? { reference } : {}) });
      return await contextOfCopy(join(top, "work"), query, PLANNER_CONTEXT_TOKENS);
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  };
}
