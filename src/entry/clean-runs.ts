import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../domain/errors.js";
import { git } from "../workspace/git-workspace.js";
import { checkRepository, runsFolderFor } from "./local-inputs.js";
import { liveRunNumbers } from "./reserve-run-number.js";
import { shellQuote } from "./terminal-text.js";

type LocalRun = { spec: number; branches: string[]; folders: string[]; live: boolean };

/**
 * `swarm clean`: lists the local runs of a repository (their branches and run folders), or removes one run's
 * (`which` a number) or every run's (`"all"`). A run under way, or a branch checked out, is refused.
 */
export async function cleanRuns(options: {
  repo: string;
  which: number | "all" | null;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<string> {
  const repo = await checkRepository(options.repo);
  if (repo.kind === "folder")
    throw new InputError({
      problem: `${options.repo} is not a git repository, so it has no swarm branches; a run on a plain folder keeps its copy in its run folder.`,
      fix: "Pass --repo the repository whose swarm runs to remove, or delete the run folder (the path after report: in the run's output).",
    });
  const { runs, others } = await localRuns(
    repo.dir,
    repo.gitDir,
    runsFolderFor(repo, options.env),
    await liveRunNumbers(repo.gitDir),
  );
  const leftAlone =
    others.length > 0
      ? [
          `Left alone: ${others.length} swarm branch${others.length === 1 ? "" : "es"} not made by a local run here (${others[0]}${others.length > 1 ? ", …" : ""}).`,
        ]
      : [];
  const q = shellQuote(repo.dir);
  if (options.which === null) {
    if (runs.length === 0) return [`No swarm runs in ${repo.dir}.`, ...leftAlone].join("\n");
    return [
      ...runs.map(
        (r) =>
          `run ${r.spec}${r.live ? " (under way)" : ""}: ${r.branches.length} branch${r.branches.length === 1 ? "" : "es"}${r.branches[0] ? ` (${r.branches[0].replace(/\/[^/]+$/, "/…")})` : ""}, ${r.folders.length} run folder${r.folders.length === 1 ? "" : "s"}`,
      ),
      ...leftAlone,
      "",
      `Remove one with: swarm clean --repo ${q} <run>   (every finished one: swarm clean --repo ${q} --all)`,
    ].join("\n");
  }
  const chosen =
    options.which === "all" ? runs.filter((r) => !r.live) : runs.filter((r) => r.spec === options.which);
  if (options.which !== "all" && chosen.length === 0)
    throw new InputError({
      problem: `There is no swarm run ${options.which} in ${repo.dir}${runs.length ? `; its runs are ${runs.map((r) => r.spec).join(", ")}` : ""}.`,
      fix: `List them with: swarm clean --repo ${q}`,
    });
  const live = chosen.find((r) => r.live);
  if (live)
    throw new InputError({
      problem: `Run ${live.spec} is under way in ${repo.dir}.`,
      fix: "Cancel it first (Ctrl-C in its terminal), then clean it.",
    });
  const inUse = await checkedOutBranches(repo.dir);
  const checkedOut = chosen.flatMap((r) => r.branches).find((b) => inUse.has(b));
  if (checkedOut)
    throw new InputError({
      problem: `Branch ${checkedOut} is checked out (in ${repo.dir} or one of its worktrees), so it cannot be removed.`,
      fix: `Switch to another branch first (git -C ${q} switch main), then clean again.`,
    });
  const said: string[] = [];
  for (const r of chosen) {
    if (r.branches.length > 0) await git(repo.dir, "branch", "-D", "-q", ...r.branches);
    for (const folder of r.folders) await rm(folder, { recursive: true, force: true });
    await rm(join(repo.gitDir, "swarm", "numbers", String(r.spec)), { recursive: true, force: true });
    said.push(
      `removed run ${r.spec}: ${r.branches.length} branch${r.branches.length === 1 ? "" : "es"}, ${r.folders.length} run folder${r.folders.length === 1 ? "" : "s"}`,
    );
  }
  return [...(said.length > 0 ? said : ["Nothing to remove: no finished runs."]), ...leftAlone].join("\n");
}

/**
 * The local runs of a repository: numbers it reserved (`.git/swarm/numbers`) or that have a run folder of
 * this repository, each with its `swarm/<n>-…` branches. Branches of other numbers (a GitHub run's branch
 * checked out by hand, say) are not a local run's, and are left alone.
 */
async function localRuns(
  repoDir: string,
  gitDir: string,
  runsDir: string,
  live: readonly number[],
): Promise<{ runs: LocalRun[]; others: string[] }> {
  const byNumber = new Map<number, LocalRun>();
  const of = (spec: number) => {
    let run = byNumber.get(spec);
    if (!run) {
      run = { spec, branches: [], folders: [], live: live.includes(spec) };
      byNumber.set(spec, run);
    }
    return run;
  };
  for (const name of await readdir(join(gitDir, "swarm", "numbers")).catch(() => [] as string[]))
    if (/^\d+$/.test(name)) of(Number(name));
  for (const name of await readdir(runsDir).catch(() => [] as string[])) {
    const meta = await readFile(join(runsDir, name, "run.json"), "utf8")
      .then((t) => JSON.parse(t) as { spec?: unknown; repo?: unknown })
      .catch(() => null);
    if (meta && typeof meta.spec === "number" && meta.repo === repoDir)
      of(meta.spec).folders.push(join(runsDir, name));
  }
  const others: string[] = [];
  const refs = await git(repoDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/swarm/");
  for (const [branch, n] of refs.matchAll(/^swarm\/(\d+)-\S+$/gm)) {
    const run = byNumber.get(Number(n));
    if (run) run.branches.push(branch);
    else others.push(branch);
  }
  return { runs: [...byNumber.values()].sort((a, b) => a.spec - b.spec), others };
}

/** Branches checked out in any worktree of the repository (git refuses to delete those). */
async function checkedOutBranches(repoDir: string): Promise<Set<string>> {
  const list = await git(repoDir, "worktree", "list", "--porcelain").catch(() => "");
  return new Set([...list.matchAll(/^branch refs\/heads\/(.+)$/gm)].map((m) => m[1] ?? ""));
}
