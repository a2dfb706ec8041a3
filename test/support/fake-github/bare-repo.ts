// The fake's repositories are real bare git repositories; refs and file contents are read with git itself.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Fake GitHub",
  GIT_AUTHOR_EMAIL: "fake@github.invalid",
  GIT_COMMITTER_NAME: "Fake GitHub",
  GIT_COMMITTER_EMAIL: "fake@github.invalid",
};

export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    env: GIT_ENV,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** A bare repository whose default branch holds `files` in one commit. */
export function createBareRepo(
  root: string,
  name: string,
  files: Record<string, string>,
  branch = "main",
): string {
  const bare = join(root, `${name}.git`);
  git(root, "init", "-q", "--bare", "-b", branch, bare);
  const work = mkdtempSync(join(tmpdir(), "fake-github-seed-"));
  git(work, "init", "-q", "-b", branch);
  for (const [path, text] of Object.entries(files)) {
    const full = join(work, path);
    execFileSync("mkdir", ["-p", join(full, "..")]);
    writeFileSync(full, text);
  }
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "Initial commit");
  git(work, "push", "-q", bare, `${branch}:${branch}`);
  return bare;
}

export function resolveRef(bare: string, ref: string): string | null {
  try {
    return git(bare, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  } catch {
    return null;
  }
}

export function readBlob(bare: string, ref: string, path: string): Buffer | null {
  try {
    return execFileSync("git", ["show", `${ref}:${path}`], {
      cwd: bare,
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return null;
  }
}

/** Branches as `refs/heads/<name>` → sha. */
export function listBranches(bare: string): Map<string, string> {
  const out = git(bare, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads");
  return new Map(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}
