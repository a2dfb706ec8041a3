import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** git in `dir` as a user would have it configured. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A user's repository: one commit on main, an uncommitted edit and an untracked file, as people have. */
export function userRepo(
  files: Record<string, string> = { "src/todo.ts": "export const todo = 1;\n" },
): string {
  const repo = mkdtempSync(join(tmpdir(), "swarm-user-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  gitIn(repo, "init", "-q", "-b", "main");
  gitIn(repo, "add", "-A");
  gitIn(repo, "commit", "-qm", "start");
  writeFileSync(join(repo, "NOTES.md"), "my uncommitted notes\n");
  return repo;
}

/**
 * Everything of the user's that swarm must leave alone: HEAD, branches, the working tree (tracked and
 * untracked, with contents), the stash and any merge or rebase in progress. Equal before and after.
 */
export function userState(repo: string): string {
  if (!existsSync(join(repo, ".git"))) return execFileSync("ls", ["-laR", repo], { encoding: "utf8" });
  const tryGit = (...args: string[]) => {
    try {
      return gitIn(repo, ...args);
    } catch {
      return "(none)";
    }
  };
  const inProgress = ["MERGE_HEAD", "REBASE_HEAD", "rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD"].filter(
    (f) => existsSync(join(repo, ".git", f)),
  );
  return [
    tryGit("rev-parse", "HEAD"),
    tryGit("symbolic-ref", "-q", "HEAD"),
    tryGit("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads", "refs/tags"),
    tryGit("status", "--porcelain=v1", "--untracked-files=all"),
    tryGit("diff"),
    tryGit("stash", "list"),
    inProgress.join(","),
  ].join("\n--\n");
}
