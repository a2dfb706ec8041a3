import { lstat, mkdir, readdir, readFile, realpath, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import type { FileChange, WorkingCopy } from "../pipeline/working-copy.js";
import { git, gitRaw } from "./git-workspace.js";

const SKIPPED = new Set([".git", "node_modules", "dist", "coverage"]);
/** Files larger than this are not read whole (views and edits); the shell reads parts of them. */
const MAX_READ_BYTES = 20 * 1024 * 1024;

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
      const full = await inside(path);
      try {
        const { size } = await lstat(full);
        if (size > MAX_READ_BYTES)
          throw new Error(
            `${path} has ${size} bytes, too many to read whole: read parts of it with the shell (head, sed -n, grep)`,
          );
        return await readFile(full, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return null;
        throw error; // unreadable is not missing: say why
      }
    },
    async realPath(path) {
      const missing: string[] = [];
      for (let at = await inside(path); ; at = dirname(at)) {
        try {
          return relative(realRoot, join(await realpath(at), ...missing));
        } catch {
          missing.unshift(basename(at)); // not created yet: resolve the nearest folder that exists
        }
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
      // The path comes from git status. Nothing is followed through symlinks: a link is removed as itself, and
      // a file or link standing where one of the path's folders belongs is removed first.
      const full = join(realRoot, path);
      if (!full.startsWith(realRoot + sep)) return;
      for (let dir = dirname(full); dir !== realRoot; dir = dirname(dir)) {
        const stat = await lstat(dir).catch(() => null);
        if (stat && !stat.isDirectory()) await rm(dir, { force: true });
      }
      const tracked = await git(realRoot, "cat-file", "-e", `HEAD:${path}`).then(
        () => true,
        () => false,
      );
      await rm(full, { recursive: true, force: true }); // a folder may stand where the file was
      if (tracked) {
        await git(realRoot, "checkout", "HEAD", "--", path);
        return;
      }
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
