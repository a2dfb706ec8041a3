/** A file that differs from the node's starting point (the working copy's HEAD). */
export type FileChange = { path: string; change: "modified" | "added" | "deleted" | "untracked" };

/** A node's working copy, as the coder's tools see it: every path is relative to its root and stays inside. */
export type WorkingCopy = {
  root: string;
  read(path: string): Promise<string | null>;
  write(path: string, text: string): Promise<void>;
  /** Files under the root, without .git and dependency folders. */
  list(): Promise<string[]>;
  /** Where `path` really is, relative to the root, once symlinks inside the working copy are followed. */
  realPath(path: string): Promise<string>;
  /** Whether `path` is a file, a folder, or nothing. */
  kind(path: string): Promise<"file" | "directory" | null>;
  /** Changed, added, deleted, and new files that git does not ignore, compared with HEAD. */
  changes(): Promise<FileChange[]>;
  /** Size and modification time, to tell whether a file changed between two looks; null when it is gone. */
  stamp(path: string): Promise<string | null>;
  /** Puts a file back as HEAD has it, or removes it when HEAD has none. */
  restore(path: string): Promise<void>;
};
