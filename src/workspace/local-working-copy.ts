import { lstat, mkdir, readdir, readFile, realpath, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { FileChange, WorkingCopy } from "../pipeline/working-copy.js";
import { git, gitRaw } from "./git-workspace.js";

const SKIPPED = new Set([".git", "node_modules", "dist", "coverage"]);

export class OutsideWorkingCopyError extends Error {}

/**
 * A working copy on disk. Paths are resolved against the root and refused when they leave it, including
 * through a symlink planted inside (the real path of the target's folder must be within the root).
 */
export async function openWorkingCopy(root: string): Promise<WorkingCopy> {
  const realRoot = await realpath(root);
  const inside = async (path: string): Promise<string> => {
    const full = resolve(realRoot, path);
    if (full === realRoot) return realRoot;
    if (!full.startsWith(realRoot + sep))
      throw new OutsideWorkingCopyError(`${path} is outside the working copy`);
    let folder = dirname(full);
    for (;;) {
      try {
        const real = await realpath(folder);
        if (real !== realRoot && !real.startsWith(realRoot + sep))
          throw new OutsideWorkingCopyError(`${path} leads outside the working copy through a symlink`);
        break;
      } catch (error) {
        if (error instanceof OutsideWorkingCopyError) throw error;
        folder = dirname(folder); // not created yet: check the nearest folder that exists
      }
    }
    try {
      const real = await realpath(full);
      if (real !== realRoot && !real.startsWith(realRoot + sep))
        throw new OutsideWorkingCopyError(`${path} is a symlink out of the working copy`);
    } catch (error) {
      if (error instanceof OutsideWorkingCopyError) throw error;
    }
    return full;
  };
  return {
    root: realRoot,
    async read(path) {
      try {
        return await readFile(await inside(path), "utf8");
      } catch (error) {
        if (error instanceof OutsideWorkingCopyError) throw error;
        return null;
      }
    },
    async write(path, text) {
      const full = await inside(path);
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, text);
    },
    async list() {
      const out: string[] = [];
      const walk = async (dir: string) => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          if (SKIPPED.has(entry.name)) continue;
          const full = join(dir, entry.name);
          if (entry.isDirectory()) await walk(full);
          else if (entry.isFile()) out.push(relative(realRoot, full));
        }
      };
      await walk(realRoot);
      return out.sort();
    },
    async kind(path) {
      try {
        const stat = await lstat(await inside(path));
        return stat.isDirectory() ? "directory" : stat.isFile() ? "file" : null;
      } catch (error) {
        if (error instanceof OutsideWorkingCopyError) throw error;
        return null;
      }
    },
    changes: () => changesOf(realRoot),
    async stamp(path) {
      try {
        const stat = await lstat(join(realRoot, path));
        return `${stat.size}:${stat.mtimeMs}:${stat.mode}`;
      } catch {
        return null;
      }
    },
    async restore(path) {
      const full = await inside(path);
      const tracked = await git(realRoot, "cat-file", "-e", `HEAD:${path}`).then(
        () => true,
        () => false,
      );
      if (tracked) {
        await rm(full, { recursive: true, force: true }); // a folder may stand where the file was
        await git(realRoot, "checkout", "HEAD", "--", path);
        return;
      }
      await rm(full, { recursive: true, force: true });
      // Folders the removed file leaves empty go too, up to the root.
      for (let dir = dirname(full); dir !== realRoot && dir.startsWith(realRoot + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break;
        }
      }
    },
  };
}

/** `git status` of the working copy: tracked changes against HEAD and untracked files that are not ignored. */
async function changesOf(root: string): Promise<FileChange[]> {
  const out = await gitRaw(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames");
  const changes: FileChange[] = [];
  for (const entry of out.split("\0")) {
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    const path = entry.slice(3);
    changes.push({
      path,
      change:
        code === "??"
          ? "untracked"
          : code.includes("D")
            ? "deleted"
            : code.includes("A")
              ? "added"
              : "modified",
    });
  }
  return changes;
}
