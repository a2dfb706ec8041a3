import { existsSync } from "node:fs";
import { access, constants, mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { formatConfigProblems } from "../domain/config/format-config-problems.js";
import { parseRepoConfig } from "../domain/config/parse-repo-config.js";
import { ConfigError, InputError } from "../domain/errors.js";
import { readModelEnv } from "../model/read-model-env.js";
import { git } from "../workspace/git-workspace.js";
import { shellQuote } from "./terminal-text.js";

// What `swarm run` and `swarm plan` are given, checked before anything is created: each foreseeable problem
// gets its own message and fix (exit 2), and a refused start leaves nothing behind.

/** GitHub's limit on an issue's body: a spec longer than this could not be an issue. */
export const SPEC_MAX_CHARS = 65_536;
const SPEC_MAX_BYTES = 4 * SPEC_MAX_CHARS; // UTF-8 takes at most 4 bytes a character

const SPEC_FIX = "Pass --spec the path of a Markdown file: a `# Title` line, then what to build.";

/** A spec file: its first `# heading` is the title, the rest is the body (as an issue's would be). */
export function readSpecFile(text: string): { title: string; body: string } | null {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^#\s+\S/.test(l));
  if (at < 0) return null;
  return {
    title: (lines[at] ?? "").replace(/^#\s+/, "").trim(),
    body: lines
      .slice(at + 1)
      .join("\n")
      .trim(),
  };
}

/** The spec file at `path`, split into title and body, or an InputError that says what is wrong with it. */
export async function loadSpecFile(path: string): Promise<{ title: string; body: string }> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    throw new InputError({
      problem:
        info.code === "ENOENT"
          ? `The spec file ${path} does not exist.`
          : `The spec file ${path} cannot be read (${info.code}).`,
      fix: SPEC_FIX,
    });
  }
  if (info.isDirectory())
    throw new InputError({ problem: `The spec ${path} is a folder, not a file.`, fix: SPEC_FIX });
  if (info.size > SPEC_MAX_BYTES)
    throw new InputError({
      problem: `The spec file ${path} is ${info.size.toLocaleString("en-US")} bytes; a spec may have at most ${SPEC_MAX_CHARS.toLocaleString("en-US")} characters (GitHub's limit for an issue).`,
      fix: "Shorten it, or split the work into several specs.",
    });
  const bytes = await readFile(path);
  let text: string;
  try {
    if (bytes.includes(0)) throw new Error("NUL");
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError({
      problem: `The spec file ${path} is not text (it holds binary data or is not UTF-8).`,
      fix: SPEC_FIX,
    });
  }
  if (text.length > SPEC_MAX_CHARS)
    throw new InputError({
      problem: `The spec file ${path} has ${text.length.toLocaleString("en-US")} characters; a spec may have at most ${SPEC_MAX_CHARS.toLocaleString("en-US")} (GitHub's limit for an issue).`,
      fix: "Shorten it, or split the work into several specs.",
    });
  if (text.trim() === "") throw new InputError({ problem: `The spec file ${path} is empty.`, fix: SPEC_FIX });
  const spec = readSpecFile(text);
  if (!spec)
    throw new InputError({
      problem: `The spec file ${path} has no title: no line starts with \`# \`.`,
      fix: "Start it with a `# Title` line (the issue's title on GitHub), then say what to build.",
    });
  return spec;
}

export type RepositoryKind =
  | { kind: "repository"; dir: string; gitDir: string }
  /** A plain folder, copied; `gitDir` is that of the repository it sits in, if it is inside one. */
  | { kind: "folder"; dir: string; gitDir: string | null };

/**
 * `--repo`: the top of a git repository that swarm can branch from, or a plain folder (copied into a new
 * repository). Anything else (missing, a file, bare, no commits, a detached HEAD, an operation in progress,
 * a branch in the way of swarm's) is refused with what to do, before anything is touched.
 */
export async function checkRepository(path: string): Promise<RepositoryKind> {
  const dir = resolve(path);
  const FIX = "Pass --repo the folder of a git repository (or a folder of files to copy into a new one).";
  const info = await stat(dir).catch(() => null);
  if (!info) throw new InputError({ problem: `The repository folder ${path} does not exist.`, fix: FIX });
  if (!info.isDirectory())
    throw new InputError({ problem: `--repo ${path} is a file, not a folder.`, fix: FIX });
  const ask = (...args: string[]) =>
    git(dir, ...args)
      .then((out) => out.trim())
      .catch(() => null);
  if ((await ask("rev-parse", "--is-bare-repository")) === "true")
    throw new InputError({
      problem: `${path} is a bare repository: it has no working tree to build on.`,
      fix: `Clone it and pass the clone: git clone ${shellQuote(dir)} work && swarm run --repo work …`,
    });
  const top = await ask("rev-parse", "--show-toplevel");
  if (!top || (await realpath(top)) !== (await realpath(dir)))
    return {
      kind: "folder",
      dir,
      gitDir: top ? await ask("rev-parse", "--path-format=absolute", "--git-common-dir") : null,
    };
  const q = shellQuote(path);
  if ((await ask("rev-parse", "--verify", "-q", "HEAD")) === null)
    throw new InputError({
      problem: `The repository ${path} has no commits yet, so there is nothing for swarm's branches to start from.`,
      fix: `Commit your files first: git -C ${q} add -A && git -C ${q} commit -m start`,
    });
  const gitPath = async (name: string) => {
    const p = (await ask("rev-parse", "--git-path", name)) ?? join(".git", name);
    return isAbsolute(p) ? p : join(dir, p);
  };
  const busy: [string, string, string][] = [
    ["rebase-merge", "a rebase", "rebase"],
    ["rebase-apply", "a rebase", "rebase"],
    ["MERGE_HEAD", "a merge", "merge"],
    ["CHERRY_PICK_HEAD", "a cherry-pick", "cherry-pick"],
    ["REVERT_HEAD", "a revert", "revert"],
  ];
  for (const [file, what, verb] of busy) {
    if (existsSync(await gitPath(file)))
      throw new InputError({
        problem: `The repository ${path} is in the middle of ${what}.`,
        fix: `Finish it (git -C ${q} ${verb} --continue) or abort it (git -C ${q} ${verb} --abort), then run swarm again; swarm leaves your work in progress alone.`,
      });
  }
  if ((await ask("symbolic-ref", "-q", "HEAD")) === null) {
    const at = (await ask("rev-parse", "--short", "HEAD")) ?? "";
    throw new InputError({
      problem: `HEAD of ${path} is detached (at ${at}), so there is no branch for swarm to build on.`,
      fix: `Check out the branch to build on (git -C ${q} switch main), then run again; swarm's result is a branch off it.`,
    });
  }
  if ((await ask("rev-parse", "--verify", "-q", "refs/heads/swarm")) !== null)
    throw new InputError({
      problem: `The repository ${path} has a branch named \`swarm\`, and git cannot keep it beside swarm's branches (\`swarm/<n>-<title>/…\`).`,
      fix: `Rename it: git -C ${q} branch -m swarm swarm-old`,
    });
  const gitDir = (await ask("rev-parse", "--path-format=absolute", "--git-common-dir")) ?? join(dir, ".git");
  return { kind: "repository", dir: await realpath(dir), gitDir };
}

/**
 * Where a local run keeps its state: `SWARM_RUNS_DIR` if set; else inside the `.git` of the repository (or of
 * the one a copied folder sits in), never in a working tree, so it cannot be committed by accident; else,
 * for a folder in no repository, the user's state folder (`$XDG_STATE_HOME/swarm/runs`, `~/.local/state/…`).
 */
export function runsFolderFor(
  repo: RepositoryKind,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (env.SWARM_RUNS_DIR) return resolve(env.SWARM_RUNS_DIR);
  if (repo.gitDir) return join(repo.gitDir, "swarm", "runs");
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), ".local", "state");
  return join(state, "swarm", "runs");
}

/** The runs folder exists (or can be made) and can be written to. */
export async function checkRunsFolder(
  runsDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const named = env.SWARM_RUNS_DIR ? `SWARM_RUNS_DIR (${runsDir})` : `The runs folder ${runsDir}`;
  const fix = "Set SWARM_RUNS_DIR to a folder you can write to, or unset it to use the default.";
  const info = await stat(runsDir).catch(() => null);
  if (info && !info.isDirectory())
    throw new InputError({ problem: `${named} is a file, not a folder.`, fix });
  try {
    await makeFolders(runsDir);
    await access(runsDir, constants.W_OK);
    const probe = join(runsDir, `.probe-${process.pid}`);
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch (error) {
    throw new InputError({
      problem: `${named} cannot be written to (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
      fix,
    });
  }
}

/**
 * Without a trace to replay, the API key must be there: one message that says how to get one, how to use
 * another Messages-API endpoint, and how to replay instead.
 */
export function checkModelAccess(
  env: Readonly<Record<string, string | undefined>>,
  replay: string | undefined,
  command: "run" | "plan",
): void {
  if (replay) return;
  if (!env.ANTHROPIC_API_KEY)
    throw new InputError({
      problem: "ANTHROPIC_API_KEY is not set, so swarm has no model to ask.",
      details: [
        "Get a key at https://console.anthropic.com/settings/keys, then: export ANTHROPIC_API_KEY=sk-ant-…",
        "Another Messages-API endpoint (a gateway or proxy): also export ANTHROPIC_BASE_URL=https://your-gateway.example",
        `No key: replay a recorded trace with --replay trace.jsonl (every run writes one, trace.jsonl in its run folder), e.g. swarm ${command} --repo … --spec … --replay …/trace.jsonl`,
      ],
      fix: "Set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint), or pass --replay.",
    });
  readModelEnv(env); // a malformed ANTHROPIC_BASE_URL or number is named now, before anything starts
}

/**
 * The repository's `.github/swarm.yml` as the run will read it (committed, for a repository; on disk, for a
 * folder that is copied), refused now with its problems rather than after the run has started.
 */
export async function checkRepositoryConfig(repo: RepositoryKind): Promise<void> {
  const path = ".github/swarm.yml";
  const text =
    repo.kind === "repository"
      ? await git(repo.dir, "show", `HEAD:${path}`).catch(() => null)
      : await readFile(join(repo.dir, path), "utf8").catch(() => null);
  if (text === null) return;
  const parsed = parseRepoConfig(text);
  if (parsed.ok) return;
  throw new ConfigError({
    problem: `${path}${repo.kind === "repository" ? " (as committed)" : ""} has problems:`,
    details: formatConfigProblems(path, parsed.problems)
      .split("\n")
      .filter((l) => l.trim() !== ""),
    fix: `Correct it${repo.kind === "repository" ? " and commit it" : ""} (check it with: npx swarm config validate ${path}), then run again.`,
  });
}

/** mkdir -p, one level at a time: Node's recursive mkdir never returns under /proc. */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  while (!(await stat(at).catch(() => null))) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const folder of missing) await mkdir(folder);
}
