import type { ReadableFiles } from "../code/view-path.js";
import type { Forge } from "../forge.js";

/**
 * The files of one commit as the reviewer's editor reads them, through the forge: nothing is checked out,
 * nothing can be written, and no path can lead outside the repository (git objects have no symlinks to follow).
 */
export function headFiles(forge: Pick<Forge, "listFiles" | "readFile">, sha: string): ReadableFiles {
  let files: Promise<string[]> | undefined;
  const list = () => {
    files ??= forge.listFiles(sha);
    return files;
  };
  return {
    list,
    read: (path) => forge.readFile(sha, path),
    kind: async (path) => {
      if (path === "") return "directory";
      const all = await list();
      if (all.includes(path)) return "file";
      return all.some((f) => f.startsWith(`${path}/`)) ? "directory" : null;
    },
  };
}
