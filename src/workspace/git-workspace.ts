import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  gitClone,
  gitCloneMirror,
  gitFetch,
  gitFetchMirror,
  gitPush,
  type RemoteAuth,
} from "./git-transport.js";

// swarm's own git in a working copy obeys nothing the working copy could plant: no hooks, no fsmonitor
// command, and no global or system configuration (HOME is an empty folder of swarm's, never the copy, where
// a sandboxed command could write a .gitconfig). A copy's .git is read-only to sandboxed commands besides.
const IDENTITY = [
  "-c",
  "user.name=swarm",
  "-c",
  "user.email=swarm@users.noreply.github.com",
  "-c",
  "commit.gpgsign=false",
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
];
let gitHome: string | undefined;
function safeGitEnv(): Record<string, string> {
  gitHome ??= mkdtempSync(join(tmpdir(), "swarm-git-home-"));
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: gitHome,
    XDG_CONFIG_HOME: gitHome,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
  };
}

export async function git(dir: string, ...args: string[]): Promise<string> {
  return (await gitRaw(dir, ...args)).trim();
}

/** git's output as it is, for formats whose leading spaces mean something (`status -z`). */
export function gitRaw(dir: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...IDENTITY, ...args],
      { cwd: dir, env: safeGitEnv(), maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`git ${args[0]} failed: ${stderr.trim() || error.message}`))
          : resolve(stdout),
    );
  });
}

/**
 * A node's working copy: a fresh clone with the node branch made from the base plus the node's dependency
 * branches, so the coder starts from everything it builds on. Each attempt starts over, and the push
 * replaces the branch, so a retried node leaves one series of commits.
 */
export async function prepareNodeCopy(input: {
  remote: string;
  auth: RemoteAuth;
  base: string;
  branch: string;
  dependencyBranches: readonly string[];
  /** Where this worker keeps its mirrors; without it every node clones in full. */
  mirrorsDir?: string;
  /**
   * Start from the node branch as it is (a revision builds on the node's earlier work, so the branches
   * already merged with it stay in its history), instead of from the base.
   */
  continueBranch?: boolean;
}): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "swarm-node-")), "work");
  const reference = input.mirrorsDir
    ? await updatedMirror(input.mirrorsDir, input.remote, input.auth)
    : undefined;
  await gitClone(input.remote, dir, input.auth, { branch: input.base, ...(reference ? { reference } : {}) });
  if (input.continueBranch) {
    await gitFetch(
      dir,
      input.remote,
      [`+refs/heads/${input.branch}:refs/remotes/own/${input.branch}`],
      input.auth,
    );
    await git(dir, "checkout", "-q", "-B", input.branch, `refs/remotes/own/${input.branch}`);
  } else {
    await git(dir, "checkout", "-q", "-B", input.branch);
  }

  if (input.dependencyBranches.length > 0) {
    await gitFetch(
      dir,
      input.remote,
      input.dependencyBranches.map((b) => `+refs/heads/${b}:refs/remotes/deps/${b}`),
      input.auth,
    );
    for (const dep of input.dependencyBranches)
      await git(dir, "merge", "-q", "--no-edit", `refs/remotes/deps/${dep}`);
  }
  return dir;
}

const mirrorUpdates = new Map<string, Promise<unknown>>();

/**
 * A worker's mirror of a remote, fetched before each use so node copies only bring new objects over the
 * network. Updates of one mirror are serialised within the process; a new mirror is cloned aside and
 * renamed into place, so processes sharing the directory never see half of one. A mirror that cannot be
 * updated is only a lost optimisation: the node then clones in full. (Not shallow: merging the
 * dependency branches needs their shared history.)
 */
export async function updatedMirror(
  mirrorsDir: string,
  remote: string,
  auth: RemoteAuth,
): Promise<string | undefined> {
  const path = join(mirrorsDir, `${createHash("sha256").update(remote).digest("hex").slice(0, 16)}.git`);
  const update = (mirrorUpdates.get(path) ?? Promise.resolve()).then(async () => {
    if (existsSync(path)) {
      await gitFetchMirror(path, remote, auth);
      return;
    }
    await mkdir(mirrorsDir, { recursive: true });
    const aside = await mkdtemp(join(mirrorsDir, ".new-"));
    try {
      await gitCloneMirror(remote, join(aside, "m.git"), auth);
      await rename(join(aside, "m.git"), path).catch(() => undefined); // another process won the race
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
  });
  mirrorUpdates.set(
    path,
    update.catch(() => undefined),
  );
  try {
    await update;
    return path;
  } catch {
    return existsSync(path) ? path : undefined;
  }
}

/**
 * Files changed in the working copy (modified, added, deleted, renamed), relative to its root. Read from
 * `status -z` untouched: its lines begin with a status column that may be a space, so nothing is trimmed.
 */
export async function changedFiles(dir: string): Promise<string[]> {
  const out = await gitRaw(dir, "status", "--porcelain", "-z", "--untracked-files=all");
  const entries = out.split("\0").filter(Boolean);
  const files: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as string;
    files.push(entry.slice(3));
    if (entry[0] === "R" || entry[0] === "C") files.push(entries[++i] ?? ""); // the original path follows
  }
  return files.filter(Boolean);
}

/** Commits `files` (only those) and pushes the branch, replacing it. Returns the commit, or null if nothing changed. */
export async function commitAndPush(input: {
  dir: string;
  remote: string;
  auth: RemoteAuth;
  branch: string;
  files: readonly string[];
  message: string;
  /** Called with the new commit before it is pushed. */
  beforePush?: (sha: string) => Promise<void>;
}): Promise<string | null> {
  if (input.files.length === 0) return null;
  await git(input.dir, "add", "--all", "--", ...input.files);
  await git(input.dir, "commit", "-q", "-m", input.message);
  const sha = await git(input.dir, "rev-parse", "HEAD");
  await input.beforePush?.(sha);
  await gitPush(input.dir, input.remote, [`+HEAD:refs/heads/${input.branch}`], input.auth);
  return sha;
}
