import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git } from "../workspace/git-workspace.js";

export type RunNumber = {
  /** The spec number of this run: its branches are `swarm/<number>-…`. */
  number: number;
  /** Other runs under way in the same repository right now (their numbers). */
  others: number[];
  release(): Promise<void>;
};

/**
 * A spec number no other local run of this repository has or is using, taken atomically (mkdir of
 * `<git dir>/swarm/numbers/<n>` fails for the second of two runs that race), so concurrent runs never share
 * branches. Numbers come after the highest `swarm/<n>-…` branch. A number whose process is gone is free.
 */
export async function reserveRunNumber(repoDir: string, gitDir: string): Promise<RunNumber> {
  const root = join(gitDir, "swarm", "numbers");
  await mkdir(root, { recursive: true });
  const others: number[] = [];
  let highest = await highestSpecBranch(repoDir);
  for (const name of await readdir(root)) {
    const n = Number(name);
    if (!Number.isInteger(n)) continue;
    const pid = Number(await readFile(join(root, name, "pid"), "utf8").catch(() => "0"));
    if (alive(pid)) {
      others.push(n);
      highest = Math.max(highest, n);
    } else if (pid > 0) await rm(join(root, name), { recursive: true, force: true });
    else highest = Math.max(highest, n); // being taken this instant: its pid is not written yet
  }
  for (let number = highest + 1; ; number++) {
    const dir = join(root, String(number));
    const taken = await mkdir(dir).then(
      () => false,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return true;
        throw error;
      },
    );
    if (taken) continue;
    await writeFile(join(dir, "pid"), String(process.pid));
    // Looked at again now that this number is ours: a run that started at the same instant shows too.
    const live = (await liveRunNumbers(gitDir)).filter((n) => n !== number);
    return {
      number,
      others: [...new Set([...others, ...live])].sort((a, b) => a - b),
      release: () => rm(dir, { recursive: true, force: true }),
    };
  }
}

/** The numbers of the runs under way in the repository whose git directory is `gitDir`. */
export async function liveRunNumbers(gitDir: string): Promise<number[]> {
  const root = join(gitDir, "swarm", "numbers");
  const live: number[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const pid = Number(await readFile(join(root, name, "pid"), "utf8").catch(() => "0"));
    if (Number.isInteger(Number(name)) && alive(pid)) live.push(Number(name));
  }
  return live.sort((a, b) => a - b);
}

/** The highest spec number in the repository's `swarm/<n>-…` branches, or 0. */
export async function highestSpecBranch(repoDir: string): Promise<number> {
  const refs = await git(repoDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/swarm/");
  return Math.max(0, ...[...refs.matchAll(/^swarm\/(\d+)-/gm)].map((m) => Number(m[1])));
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
