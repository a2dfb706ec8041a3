import { cp } from "node:fs/promises";
import { basename } from "node:path";
import { git } from "../workspace/git-workspace.js";

/** A plain folder's files (not its .git, node_modules or .swarm), committed into a new repository at `to`. */
export async function copyIntoRepository(dir: string, to: string): Promise<string> {
  await cp(dir, to, {
    recursive: true,
    // Not its .git, its dependencies, or swarm's own state (when runs are kept inside the folder).
    filter: (src) => !/(^|\/)(\.git|node_modules|\.swarm)$/.test(src) && !src.startsWith(to),
  });
  await git(to, "init", "-q", "-b", "main");
  await git(to, "add", "-A");
  await git(to, "commit", "-q", "-m", `The files of ${basename(dir)}, as swarm found them`);
  return to;
}
