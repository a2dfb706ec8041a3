import { mkdir, readdir, readFile, realpath, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { WorkingCopy } from "../pipeline/working-copy.js";

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
    if (full !== realRoot && !full.startsWith(realRoot + sep))
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
      if (!real.startsWith(realRoot + sep))
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
  };
}
