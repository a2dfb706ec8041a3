import { git, gitRaw } from "./git-workspace.js";

/**
 * The files of `ref` in the repository at `dir`, as git holds them (not as the working tree has them now):
 * what every node of a run sees alike, whatever its own copy has merged, installed or built since.
 */
export function filesAtCommit(dir: string, ref: string) {
  return {
    async list(): Promise<string[]> {
      const out = await git(dir, "ls-tree", "-r", "-z", "--name-only", ref);
      return out.split("\0").filter(Boolean).sort();
    },
    async read(path: string): Promise<string | null> {
      return gitRaw(dir, "show", `${ref}:${path}`).catch(() => null);
    },
    async kind(path: string): Promise<"file" | "directory" | null> {
      const type = await git(dir, "cat-file", "-t", `${ref}:${path}`).catch(() => "");
      return type.trim() === "blob" ? "file" : type.trim() === "tree" ? "directory" : null;
    },
  };
}
