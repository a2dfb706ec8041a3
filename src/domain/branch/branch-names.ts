import { slugify } from "./slugify.js";

/**
 * Node branches are `swarm/<issue>-<slug>/<node>` and the integration branch sits beside them at
 * `swarm/<issue>-<slug>/integration`. It cannot be `swarm/<issue>-<slug>` itself: git stores refs as
 * paths, so a ref cannot be both a branch and the folder of other branches (`cannot lock ref`).
 * The plan schema therefore reserves the node id `integration`.
 */
export const INTEGRATION_LEAF = "integration";

export function runBranchPrefix(issue: number, title: string): string {
  if (!Number.isSafeInteger(issue) || issue < 1)
    throw new RangeError(`issue number must be >= 1, got ${issue}`);
  return `swarm/${issue}-${slugify(title)}`;
}

export function nodeBranch(issue: number, title: string, nodeId: string): string {
  return `${runBranchPrefix(issue, title)}/${slugify(nodeId, "node")}`;
}

export function integrationBranch(issue: number, title: string): string {
  return `${runBranchPrefix(issue, title)}/${INTEGRATION_LEAF}`;
}

/** The spec issue whose integration branch this is, or null for any other branch. */
export function specOfIntegrationBranch(branch: string): number | null {
  const found = /^swarm\/(\d+)-[^/]+\/integration$/.exec(branch)?.[1];
  return found ? Number(found) : null;
}

/** The spec issue whose run this branch (a node's or the integration branch) is of, or null. */
export function specOfRunBranch(branch: string): number | null {
  const found = /^swarm\/(\d+)-[^/]+\/[^/]+$/.exec(branch)?.[1];
  return found ? Number(found) : null;
}

/** Among a run's branch names, node `id`'s branch, or "" when it has none (yet). */
export function findNodeBranch(names: Iterable<string>, id: string): string {
  for (const name of names) if (name.endsWith(`/${id}`)) return name;
  return "";
}

/** Among a run's branch names, its integration branch, or "" when there is none yet. */
export function findIntegrationBranch(names: Iterable<string>): string {
  return findNodeBranch(names, INTEGRATION_LEAF);
}

/** Node id → its branch, for the nodes that have one among a run's branch names. */
export function nodeBranchesOf(ids: readonly string[], names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    ids.flatMap((id) => {
      const branch = findNodeBranch(names, id);
      return branch ? [[id, branch]] : [];
    }),
  );
}
