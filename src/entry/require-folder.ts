import { statSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../domain/errors.js";

/** The absolute path of a folder the user named with `option`, or an InputError (exit 2) saying what it is. */
export function requireFolder(path: string, option: string, fix: string): string {
  const full = resolve(path);
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(full, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code !== "ENOTDIR")
      throw new InputError({ problem: `${option} ${path} cannot be read (${code}).`, fix });
    info = undefined; // a file in the middle of the path: there is no such folder
  }
  if (!info) throw new InputError({ problem: `${option} ${path}: no such folder.`, fix });
  if (!info.isDirectory())
    throw new InputError({ problem: `${option} ${path} is a file, not a folder.`, fix });
  return full;
}
