import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { isIndexable, type ParsedFile, parseSource } from "./parse-source.js";

export type IndexedFile = { path: string; hash: string; parsed: ParsedFile };

/** Parsed files by content hash: shared by every index in the process, so unchanged files parse once. */
export type ParseCache = Map<string, ParsedFile>;

export type CodeIndex = {
  root: string;
  files: Map<string, IndexedFile>;
  /** Bumped by every change to `files`, so what is derived from them (graph, lexicon) knows when to rebuild. */
  readonly version: number;
  /** Re-reads `paths` (changed, added or deleted) and parses only those whose content changed. */
  update(paths: readonly string[]): Promise<{ parsed: number }>;
};

const SKIP = new Set([".git", "node_modules", "dist", "build", "coverage", ".venv", "__pycache__"]);
const MAX_BYTES = 512 * 1024; // generated or vendored giants say little and cost much

/** The source files of a repository: what git tracks when it is one, otherwise a walk without dependency folders. */
export async function listSourceFiles(root: string): Promise<string[]> {
  const tracked = await new Promise<string[] | null>((resolve) =>
    execFile(
      "git",
      ["ls-files", "-co", "--exclude-standard", "-z"],
      { cwd: root, maxBuffer: 64 << 20 },
      (e, out) => resolve(e ? null : out.split("\0").filter(Boolean)),
    ),
  );
  if (tracked) return tracked.filter(isIndexable).sort();
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name)) await walk(join(dir, entry.name));
      } else if (isIndexable(entry.name)) out.push(relative(root, join(dir, entry.name)));
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * An index of a repository's definitions, imports and identifier uses, one entry per source file. Files
 * are parsed with tree-sitter; a file whose content was parsed before (here or by another index in the
 * process) is not parsed again.
 */
export async function buildIndex(
  root: string,
  options: { paths?: readonly string[]; cache?: ParseCache } = {},
): Promise<CodeIndex> {
  const cache = options.cache ?? new Map();
  const files = new Map<string, IndexedFile>();
  let version = 0;
  const load = async (path: string): Promise<boolean> => {
    let text: string;
    try {
      const buffer = await readFile(join(root, path));
      if (buffer.length > MAX_BYTES) {
        if (files.delete(path)) version++;
        return false;
      }
      text = buffer.toString("utf8");
    } catch {
      if (files.delete(path)) version++; // deleted
      return false;
    }
    const hash = createHash("sha1").update(text).digest("hex");
    if (files.get(path)?.hash === hash) return false;
    let parsed = cache.get(hash);
    const fresh = !parsed;
    if (!parsed) {
      parsed = (await parseSource(path, text)) ?? undefined;
      if (!parsed) return false;
      cache.set(hash, parsed);
    }
    files.set(path, { path, hash, parsed });
    version++;
    return fresh;
  };
  for (const path of options.paths ?? (await listSourceFiles(root))) await load(path);
  return {
    root,
    files,
    get version() {
      return version;
    },
    async update(paths) {
      let parsed = 0;
      for (const path of paths) if (isIndexable(path) && (await load(path))) parsed++;
      return { parsed };
    },
  };
}
