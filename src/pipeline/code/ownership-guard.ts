import { mayWrite } from "../../domain/plan/may-write.js";
import type { Plan, PlanNode } from "../../domain/plan/plan.js";
import { isToolCache } from "../../domain/plan/tool-caches.js";
import type { FileChange, WorkingCopy } from "../working-copy.js";

export type OwnershipGuard = {
  /** Reverts what changed outside the node's files since the last look; says what it did, or null. */
  enforce(): Promise<string | null>;
};

type Seen = Map<string, string | null>;

/**
 * Ownership with a shell: commands may touch any file, so after each one the files that changed outside the
 * node's own (modified, deleted, or new and not ignored by git) are put back as HEAD has them, and the agent
 * is told which, whose they are, and what to do instead. Changes that were there before (the install step's,
 * or an earlier command's that was already reverted) are not blamed on the next command.
 */
export async function createOwnershipGuard(options: {
  copy: WorkingCopy;
  node: Pick<PlanNode, "id" | "owns">;
  plan?: Plan;
  protectedPaths: readonly string[];
}): Promise<OwnershipGuard> {
  const { copy, node } = options;
  const outside = (path: string) => !isToolCache(path) && !mayWrite(node, path, options.protectedPaths).ok;
  const look = async (): Promise<{ changes: FileChange[]; seen: Seen }> => {
    const changes = (await copy.changes()).filter((c) => outside(c.path));
    const seen: Seen = new Map();
    for (const c of changes) seen.set(c.path, await copy.stamp(c.path));
    return { changes, seen };
  };
  let before = (await look()).seen;

  return {
    async enforce() {
      const now = await look();
      const fresh = now.changes
        .filter((c) => !before.has(c.path) || before.get(c.path) !== now.seen.get(c.path))
        // New files go first: a file standing where a changed folder was goes, then the folder's files return.
        .sort((a, b) => Number(b.change === "untracked") - Number(a.change === "untracked"));
      const failed = new Map<string, string>();
      for (const c of fresh)
        await copy.restore(c.path).catch((e: unknown) => {
          failed.set(c.path, e instanceof Error ? e.message : String(e));
        });
      before = fresh.length > 0 ? (await look()).seen : now.seen;
      return fresh.length > 0 ? describe(fresh, failed, options) : null;
    },
  };
}

const SHOWN = 20;

function describe(
  changes: readonly FileChange[],
  failed: ReadonlyMap<string, string>,
  options: { node: Pick<PlanNode, "id" | "owns">; plan?: Plan; protectedPaths: readonly string[] },
): string {
  const { node } = options;
  const lines = changes.slice(0, SHOWN).map((c) => {
    const guarded = mayWrite({ id: node.id, owns: ["**"] }, c.path, options.protectedPaths);
    const owner = options.plan?.nodes.find(
      (n) => n.id !== node.id && mayWrite(n, c.path, options.protectedPaths).ok,
    );
    const whose = !guarded.ok
      ? "protected by the repository's configuration"
      : owner
        ? `owned by node \`${owner.id}\``
        : "no node owns it";
    const [kind, done] =
      c.change === "untracked"
        ? ["new", "removed"]
        : c.change === "deleted"
          ? ["deleted", "restored"]
          : ["changed", "put back"];
    const problem = failed.get(c.path);
    return `- \`${c.path}\` (${kind}; ${problem ? `could not be ${done}: ${problem}` : done}; ${whose})`;
  });
  if (changes.length > SHOWN) lines.push(`- … and ${changes.length - SHOWN} more`);
  return [
    `swarm reverted what this changed outside the files of node \`${node.id}\` (${node.owns.map((o) => `\`${o}\``).join(", ")}); none of it can reach the branch:`,
    ...lines,
    "If one of these files needs a change, do not work around this: say what it needs in the handoff note of your finish call, for the node that owns it (or for the people who review the pull request).",
  ].join("\n");
}
