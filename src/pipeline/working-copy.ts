/** A node's working copy, as the coder's tools see it: every path is relative to its root and stays inside. */
export type WorkingCopy = {
  root: string;
  read(path: string): Promise<string | null>;
  write(path: string, text: string): Promise<void>;
  /** Files under the root, without .git and dependency folders. */
  list(): Promise<string[]>;
};
