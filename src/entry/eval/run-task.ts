import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, lstat, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { totalTokens } from "../../domain/budget/usage.js";
import { parseRepoConfig } from "../../domain/config/parse-repo-config.js";
import { RepoConfigSchema } from "../../domain/config/repo-config.js";
import type { EvalTask, TaskResult, Variant } from "../../domain/eval/eval-task.js";
import type { TraceLine } from "../../model/trace/trace-line.js";
import { runCheckCommands } from "../../sandbox/run-checks.js";
import { git } from "../../workspace/git-workspace.js";
import { installStep } from "../install-step.js";
import { runLocally } from "../run-locally.js";

export type TaskRunOptions = {
  env: Readonly<Record<string, string | undefined>>;
  /** The task's own folder for this run: its copy of the repository and its run folder stay here. */
  dir: string;
  answers: TaskResult["answers"];
};

/**
 * One task, one way: a fresh copy of its repository (at its commit), `swarm run` on it with the local forge
 * (for `single`, limited to one node and one coder), then the hidden tests put into the result and run in
 * the sandbox. Only they say whether the task is solved.
 */
export async function runTask(
  task: EvalTask,
  variant: Variant,
  repeat: number,
  options: TaskRunOptions,
): Promise<TaskResult> {
  const copy = join(options.dir, "repo");
  await freshCopy(task, copy);
  if (variant === "single") await limitToOneNode(copy);
  const spec = join(options.dir, "spec.md");
  await writeFile(spec, task.spec);

  let nodes = 0;
  let revisions = 0;
  const started = performance.now();
  const run = await runLocally({
    repo: copy,
    spec,
    env: options.env,
    runsDir: join(options.dir, "runs"),
    onEvent: (e) => {
      if (e.kind === "plan") nodes = e.nodes.length;
      if (e.kind === "stage" && e.text.startsWith("revising")) revisions++;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const spend = await spendOf(join(run.runDir, "trace.jsonl"));
  // A result the hidden tests cannot be put into (a symlink where they go, a patch that does not apply) is
  // not solved, and says why; the run's spending is kept.
  const judged = await judge(
    task,
    copy,
    run.branch,
    join(options.dir, "judged"),
    downloadsOf(options.env),
  ).catch((error: Error) => ({
    solved: false,
    failed: [`the hidden tests could not be put in: ${error.message}`],
    kept: null,
  }));
  return {
    task: task.id,
    variant,
    repeat,
    ...judged,
    status: run.status,
    swarmGreen: run.status === "green",
    ...spend,
    seconds: Number(seconds.toFixed(1)),
    nodes,
    revisions,
    answers: options.answers,
    ...(options.env.ANTHROPIC_BASE_URL ? { endpoint: options.env.ANTHROPIC_BASE_URL } : {}),
    digest: taskDigest(task),
  };
}

/** What a result was made from: the task itself, all of it. */
export const taskDigest = (task: EvalTask) =>
  createHash("sha256").update(JSON.stringify(task)).digest("hex").slice(0, 16);

/** The install step's download cache, as `swarm run` keeps it. */
export const downloadsOf = (env: Readonly<Record<string, string | undefined>>) =>
  env.SWARM_CACHE_DIR ?? join(homedir(), ".cache", "swarm", "downloads");

/**
 * The task's repository in `copy`, at its commit, as a repository of one commit on a branch of its own
 * (`eval-base`): a clone's other branches, tags and later commits hold the answer (a SWE-bench instance's
 * fix and tests are upstream), and every node's copy would see them.
 */
export async function freshCopy(task: EvalTask, copy: string): Promise<void> {
  await mkdir(dirname(copy), { recursive: true });
  const repo = task.repo;
  if ("url" in repo || existsSync(join(repo.path, ".git"))) {
    const from = "url" in repo ? repo.url : repo.path;
    await git(dirname(copy), "clone", "-q", from, copy).catch((error: Error) => {
      throw new Error(
        `cannot clone ${from} for ${task.id}${"url" in repo ? " (it needs the network)" : ""}: ${error.message}`,
      );
    });
    if (repo.commit) await git(copy, "checkout", "-q", repo.commit);
    await rm(join(copy, ".git"), { recursive: true, force: true });
  } else {
    await cp(repo.path, copy, { recursive: true });
    await rm(join(copy, ".git"), { recursive: true, force: true });
  }
  await git(copy, "init", "-q", "-b", "eval-base");
  await git(copy, "add", "-A");
  await git(copy, "commit", "-qm", "The task's repository");
}

/** The single-agent baseline: the planner is told it has one node, and one coder works. */
async function limitToOneNode(copy: string): Promise<void> {
  const path = join(copy, ".github/swarm.yml");
  const text = await readFile(path, "utf8").catch(() => "");
  const config = (parseYaml(text) ?? {}) as { limits?: Record<string, unknown> };
  config.limits = { ...config.limits, maxNodes: 1, maxParallelNodes: 1 };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringifyYaml(config));
  await git(copy, "add", ".github/swarm.yml");
  await git(copy, "commit", "-qm", "eval: one node, one coder");
}

async function spendOf(trace: string): Promise<Pick<TaskResult, "usd" | "tokens" | "tokensByRole">> {
  const text = await readFile(trace, "utf8").catch(() => "");
  const byRole: Record<string, number> = {};
  let usd = 0;
  for (const line of text.split("\n").filter(Boolean)) {
    const l = JSON.parse(line) as TraceLine;
    usd += l.costUsd;
    if (l.usage) byRole[l.role] = (byRole[l.role] ?? 0) + totalTokens(l.usage);
  }
  const tokens = Object.values(byRole).reduce((s, t) => s + t, 0);
  return { usd: Number(usd.toFixed(6)), tokens, tokensByRole: byRole };
}

/**
 * The hidden tests on the run's result (its branch; the base when it left none), in the sandbox after the
 * repository's install step: solved when they pass, and the tests that must keep passing do.
 */
export async function judge(
  task: EvalTask,
  copy: string,
  branch: string | null,
  at: string,
  cacheDir: string,
): Promise<Pick<TaskResult, "solved" | "failed" | "kept">> {
  await git(copy, "worktree", "add", "-q", "--detach", at, branch ?? "eval-base");
  // The judge's terms are the task's, not the run's: the config (sandbox, install step), the tests that
  // must keep passing and the test runners' own config as the task gave them; what the hidden tests touch
  // goes back to the base before they are put in (as SWE-bench's harness does before its test patch).
  const patchPaths = "patch" in task.hidden ? pathsOfPatch(task.hidden.patch) : [];
  const hiddenPaths = "files" in task.hidden ? Object.keys(task.hidden.files) : patchPaths;
  const changed = (await git(at, "diff", "--name-only", "eval-base", "HEAD")).split("\n").filter(Boolean);
  await restoreFromBase(at, [...new Set([...changed.filter(isTestInfrastructure), ...hiddenPaths, CONFIG])]);
  const text = await readFile(join(at, CONFIG), "utf8").catch(() => null);
  const parsed = text === null ? null : parseRepoConfig(text);
  const config = parsed?.ok ? parsed.config : RepoConfigSchema.parse({});
  const install = await installStep(at, config, { cacheDir });
  // After the install step, which could otherwise write over them.
  if ("files" in task.hidden)
    for (const [path, text] of Object.entries(task.hidden.files)) {
      await refuseLinks(at, path);
      await mkdir(dirname(join(at, path)), { recursive: true });
      await writeFile(join(at, path), text);
    }
  else {
    await writeFile(join(at, "..", "hidden.patch"), task.hidden.patch);
    await git(at, "apply", "--whitespace=nowarn", join(at, "..", "hidden.patch"));
  }
  const checks = await runCheckCommands(at, {
    ...config,
    validation: { ...config.validation, commands: [task.test, ...(task.keep ? [task.keep] : [])] },
  });
  const [hidden, keep] = checks.commands;
  const installed = install?.passed ?? true;
  const failed = !installed
    ? [`the install step failed: ${install?.output.split("\n").slice(-3).join(" ") ?? ""}`]
    : (hidden?.failures ?? []).map(
        (f) => f.test ?? `${f.file}${f.line ? `:${f.line}` : ""}: ${f.message.split("\n")[0]}`,
      );
  const hiddenPassed = installed && hidden?.passed === true;
  if (installed && !hiddenPassed && failed.length === 0)
    failed.push(`${task.test} exited ${hidden?.exitCode ?? "(killed)"}`);
  const kept = task.keep ? installed && keep?.passed === true : null;
  return { solved: hiddenPassed && kept !== false, failed, kept };
}

const CONFIG = ".github/swarm.yml";

/**
 * Test files and the config of test runners: what a run could change to make tests pass without the work.
 * Manifests (package.json, pyproject.toml) stay as the run left them: a change may need a new dependency.
 */
const TEST_INFRASTRUCTURE = [
  /(^|\/)(tests?|__tests__|spec)\//,
  /(^|\/)[^/]*[._-](test|spec)\.[^/]+$/,
  /(^|\/)test_[^/]*\.py$/,
  /(^|\/)conftest\.py$/,
  /(^|\/)(pytest\.ini|tox\.ini)$/,
  /(^|\/)(vitest|jest|vite|babel)\.config\.[^/]+$/,
];
const isTestInfrastructure = (path: string) => TEST_INFRASTRUCTURE.some((re) => re.test(path));

/** Each path as the base has it, or gone when the base has none. */
async function restoreFromBase(at: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await refuseLinks(at, path);
    const atBase = await git(at, "cat-file", "-e", `eval-base:${path}`).then(
      () => true,
      () => false,
    );
    if (atBase) await git(at, "checkout", "eval-base", "--", path);
    else await rm(join(at, path), { recursive: true, force: true });
  }
}

/** A run may leave a symlink where the hidden tests go: writing through it would write outside the copy. */
async function refuseLinks(at: string, path: string): Promise<void> {
  const parts = path.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const stat = await lstat(join(at, ...parts.slice(0, i))).catch(() => null);
    if (stat?.isSymbolicLink())
      throw new Error(
        `the result has a symlink at ${parts.slice(0, i).join("/")}, where the hidden tests go`,
      );
  }
}

/** The files a patch touches (both sides of each `diff --git a/X b/Y`). */
export function pathsOfPatch(patch: string): string[] {
  const paths = [...patch.matchAll(/^diff --git a\/(.+?) b\/(.+)$/gm)].flatMap((m) => [
    m[1] ?? "",
    m[2] ?? "",
  ]);
  return [...new Set(paths.filter(Boolean))];
}
