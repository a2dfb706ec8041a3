import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
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
 * branches. Numbers come after the highest `swarm/<n>-…` branch and the highest number ever taken.
 */
export async function reserveRunNumber(repoDir: string, gitDir: string): Promise<RunNumber> {
  const root = join(gitDir, "swarm", "numbers");
  await mkdir(root, { recursive: true });
  // A number once taken is never handed out again, even when its run is gone (its folder stays until
  // `swarm clean` removes the run): two runs starting together can then never both take a freed number.
  const taken = (await readdir(root)).map(Number).filter((n) => Number.isInteger(n));
  const highest = Math.max(await highestSpecBranch(repoDir), ...taken);
  for (let number = highest + 1; ; number++) {
    const dir = join(root, String(number));
    const lost = await mkdir(dir).then(
      () => false,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return true;
        throw error;
      },
    );
    if (lost) continue;
    await writeFile(join(dir, "pid"), String(process.pid));
    // Looked at again now that this number is ours: a run that started at the same instant shows too.
    const live = (await liveRunNumbers(gitDir)).filter((n) => n !== number);
    return {
      number,
      others: live,
      // The number stays taken; its pid becomes 0, so the run no longer counts as under way.
      release: () => writeFile(join(dir, "pid"), "0"),
    };
  }
}

/** The numbers of the runs under way in the repository whose git directory is `gitDir`. */
export async function liveRunNumbers(gitDir: string): Promise<number[]> {
  const root = join(gitDir, "swarm", "numbers");
  const live: number[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!Number.isInteger(Number(name))) continue;
    const pid = await readFile(join(root, name, "pid"), "utf8").catch(() => null);
    // No pid yet: a run is taking the number this instant (or died doing so, long ago).
    const justTaken =
      pid === null && Date.now() - ((await stat(join(root, name)).catch(() => null))?.mtimeMs ?? 0) < 10_000;
    if (justTaken || (pid !== null && alive(Number(pid)))) live.push(Number(name));
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
