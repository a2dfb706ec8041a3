import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gitClone, gitFetch, gitPush, type RemoteAuth } from "./git-transport.js";

const IDENTITY = [
  "-c",
  "user.name=swarm",
  "-c",
  "user.email=swarm@users.noreply.github.com",
  "-c",
  "commit.gpgsign=false",
];

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await gitRaw(dir, ...args)).trim();
}

function gitRaw(dir: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      [...IDENTITY, ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, GIT_TERMINAL_PROMPT: "0" } },
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
}): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "swarm-node-")), "work");
  await gitClone(input.remote, dir, input.auth, { branch: input.base });
  await git(dir, "checkout", "-q", "-B", input.branch);
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
}): Promise<string | null> {
  if (input.files.length === 0) return null;
  await git(input.dir, "add", "--all", "--", ...input.files);
  await git(input.dir, "commit", "-q", "-m", input.message);
  await gitPush(input.dir, input.remote, [`+HEAD:refs/heads/${input.branch}`], input.auth);
  return git(input.dir, "rev-parse", "HEAD");
}
