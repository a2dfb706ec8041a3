import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IntegrationConflictError } from "../domain/errors.js";
import { gitClone, gitFetch, gitPush, type RemoteAuth } from "./git-transport.js";
import { git, prepareNodeCopy, updatedMirror } from "./git-workspace.js";

export type MergeConflict = { nodeId: string; files: string[] };
/** Edits the conflicted files in `dir` (an integrator agent); returns whether it resolved them. */
export type ConflictResolver = (dir: string, conflict: MergeConflict) => Promise<boolean>;

type Remote = { remote: string; auth: RemoteAuth; mirrorsDir?: string };

/**
 * The integration branch: the base with every node branch merged, in the order given (dependencies first).
 * Built afresh each time; pushed only when its tree differs from the branch's, so integrating again without
 * changes leaves the PR's head (and its checks) alone. A conflict goes to `resolve`, and is reported.
 */
export async function mergeNodeBranches(
  input: Remote & {
    base: string;
    integration: string;
    nodes: readonly { id: string; branch: string; title: string }[];
    resolve?: ConflictResolver;
    /** Called with the new head just before it is pushed (not when there is nothing to push). */
    beforePush?: (headSha: string) => Promise<void>;
  },
): Promise<{ headSha: string; pushed: boolean; conflicts: MergeConflict[] }> {
  const dir = await prepareNodeCopy({
    remote: input.remote,
    auth: input.auth,
    base: input.base,
    branch: input.integration,
    dependencyBranches: [],
    ...(input.mirrorsDir ? { mirrorsDir: input.mirrorsDir } : {}),
  });
  try {
    await gitFetch(
      dir,
      input.remote,
      input.nodes.map((n) => `+refs/heads/${n.branch}:refs/remotes/nodes/${n.branch}`),
      input.auth,
    );
    const current = await gitFetch(
      dir,
      input.remote,
      [`+refs/heads/${input.integration}:refs/remotes/current`],
      input.auth,
    ).then(
      () => git(dir, "rev-parse", "refs/remotes/current"),
      () => null, // no integration branch yet
    );
    const conflicts: MergeConflict[] = [];
    for (const node of input.nodes) {
      const message = `Merge node ${node.id}: ${node.title}`;
      const merged = await git(
        dir,
        "merge",
        "--no-ff",
        "-q",
        "-m",
        message,
        `refs/remotes/nodes/${node.branch}`,
      )
        .then(() => true)
        .catch(() => false);
      if (merged) continue;
      const files = (await git(dir, "diff", "--name-only", "--diff-filter=U")).split("\n").filter(Boolean);
      const conflict = { nodeId: node.id, files };
      const resolved = input.resolve ? await input.resolve(dir, conflict).catch(() => false) : false;
      const markersLeft =
        resolved &&
        (await git(dir, "grep", "-l", "-E", "^(<<<<<<<|>>>>>>>)( |$)", "--", ...files).then(
          (out) => out !== "",
          () => false,
        ));
      if (!resolved || markersLeft) {
        await git(dir, "merge", "--abort").catch(() => undefined);
        throw new IntegrationConflictError(conflict.nodeId, conflict.files);
      }
      await git(dir, "add", "--", ...files);
      await git(
        dir,
        "commit",
        "-q",
        "--no-edit",
        "-m",
        `${message} (conflict in ${files.join(", ")} resolved by the integrator)`,
      );
      conflicts.push(conflict);
    }
    const head = await git(dir, "rev-parse", "HEAD");
    if (
      current &&
      (await git(dir, "rev-parse", "HEAD^{tree}")) === (await git(dir, "rev-parse", `${current}^{tree}`))
    )
      return { headSha: current, pushed: false, conflicts };
    await input.beforePush?.(head);
    await gitPush(dir, input.remote, [`+HEAD:refs/heads/${input.integration}`], input.auth);
    return { headSha: head, pushed: true, conflicts };
  } finally {
    await rm(join(dir, ".."), { recursive: true, force: true });
  }
}

/** The unified diff of `head` against where it left `base` (what a PR shows). */
export async function diffAgainstBase(
  input: Remote & { base: string; head: string; wholeFiles?: boolean },
): Promise<string> {
  const top = await mkdtemp(join(tmpdir(), "swarm-diff-"));
  try {
    const dir = join(top, "work");
    const reference = input.mirrorsDir
      ? await updatedMirror(input.mirrorsDir, input.remote, input.auth)
      : undefined;
    await gitClone(input.remote, dir, input.auth, {
      branch: input.base,
      ...(reference ? { reference } : {}),
    });
    await gitFetch(dir, input.remote, [`+refs/heads/${input.head}:refs/remotes/head`], input.auth);
    // Whole files as context: one hunk per file, so tests are counted on the whole file on each side.
    const context = input.wholeFiles ? ["--unified=1000000"] : [];
    return await git(dir, "diff", "--no-color", ...context, `origin/${input.base}...refs/remotes/head`);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}
