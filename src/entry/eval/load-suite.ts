import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { InputError } from "../../domain/errors.js";
import { type EvalTask, EvalTaskSchema } from "../../domain/eval/eval-task.js";
import { shellQuote } from "../terminal-text.js";

/** A task folder's `task.yml`: the repository, the hidden tests (a folder or a patch), the commands. */
const TaskFileSchema = z.strictObject({
  repo: z.union([z.string().min(1), z.strictObject({ url: z.string().min(1), commit: z.string().min(7) })]),
  hidden: z.string().min(1),
  test: z.string().min(1),
  keep: z.string().min(1).optional(),
});

/** A line of a SWE-bench-format JSONL file (the fields swarm reads; others are ignored). */
const SweBenchSchema = z.object({
  instance_id: z.string().min(1),
  repo: z.string().min(1),
  base_commit: z.string().min(7),
  problem_statement: z.string().min(1),
  test_patch: z.string().min(1),
  FAIL_TO_PASS: z.union([z.array(z.string()), z.string()]),
  PASS_TO_PASS: z.union([z.array(z.string()), z.string()]).optional(),
  /** Not SWE-bench's: the command the test ids are given to (default `python -m pytest -q`). */
  test_command: z.string().min(1).optional(),
});

const problemsOf = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");

/**
 * The tasks of a suite: a folder of task folders (each with `task.yml` and `spec.md`), or a JSONL file in
 * the SWE-bench format. Everything is read and checked before any task runs; a problem names its file.
 */
export async function loadSuite(path: string): Promise<EvalTask[]> {
  const full = resolve(path);
  const kind = await stat(full).catch(() => null);
  if (!kind)
    throw new InputError({
      problem: `the suite ${path} does not exist.`,
      fix: "Pass --suite a folder of task folders, or a SWE-bench-format .jsonl file.",
    });
  const tasks = kind.isDirectory() ? await loadFolder(full) : await loadJsonl(full);
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.id))
      throw new InputError({
        problem: `the suite ${path} has two tasks named ${t.id}.`,
        fix: "Give each task its own id.",
      });
    seen.add(t.id);
  }
  if (tasks.length === 0)
    throw new InputError({
      problem: `the suite ${path} has no tasks.`,
      fix: "Add a task folder with a task.yml.",
    });
  return tasks;
}

async function loadFolder(dir: string): Promise<EvalTask[]> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name));
  const tasks: EvalTask[] = [];
  for (const entry of entries) {
    const folder = join(dir, entry.name);
    if (!existsSync(join(folder, "task.yml"))) continue;
    const where = relative(process.cwd(), join(folder, "task.yml")) || join(folder, "task.yml");
    const parsed = TaskFileSchema.safeParse(parseYaml(await readFile(join(folder, "task.yml"), "utf8")));
    if (!parsed.success)
      throw new InputError({
        problem: `${where} has problems: ${problemsOf(parsed.error)}.`,
        fix: "A task.yml needs repo (a folder, or url and commit), hidden (a folder or a .patch file) and test (a command); keep is optional.",
      });
    const file = parsed.data;
    const spec = await readFile(join(folder, "spec.md"), "utf8").catch(() => null);
    if (spec === null)
      throw new InputError({
        problem: `${folder} has no spec.md.`,
        fix: "Write the spec as a user would write the issue.",
      });
    const hiddenPath = join(folder, file.hidden);
    const hidden = file.hidden.endsWith(".patch")
      ? { patch: await readFile(hiddenPath, "utf8") }
      : { files: await readTree(hiddenPath) };
    const task = {
      id: entry.name,
      repo: typeof file.repo === "string" ? { path: resolve(folder, file.repo) } : file.repo,
      spec,
      hidden,
      test: file.test,
      ...(file.keep ? { keep: file.keep } : {}),
    };
    tasks.push(checkedTask(where, task));
  }
  return tasks;
}

/** A task as the schema has it, or the file's problems named. */
function checkedTask(where: string, task: unknown): EvalTask {
  const parsed = EvalTaskSchema.safeParse(task);
  if (parsed.success) return parsed.data;
  throw new InputError({
    problem: `${where} has problems: ${problemsOf(parsed.error)}.`,
    fix: "Fix the task (a commit is a git hash of 7 to 40 hex digits; an id is letters, digits, dots, dashes and underscores).",
  });
}

async function readTree(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) files[relative(root, full)] = await readFile(full, "utf8");
    }
  };
  await walk(root).catch(() => {
    throw new InputError({
      problem: `the hidden tests ${root} cannot be read.`,
      fix: "Point hidden at a folder of test files or a .patch file.",
    });
  });
  return files;
}

async function loadJsonl(file: string): Promise<EvalTask[]> {
  const lines = (await readFile(file, "utf8")).split("\n");
  const tasks: EvalTask[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const where = `${relative(process.cwd(), file) || file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new InputError({
        problem: `${where} is not JSON.`,
        fix: "Each line of the suite is one SWE-bench instance as a JSON object.",
      });
    }
    const parsed = SweBenchSchema.safeParse(json);
    if (!parsed.success)
      throw new InputError({
        problem: `${where} is not a SWE-bench instance: ${problemsOf(parsed.error)}.`,
        fix: "Each line needs instance_id, repo, base_commit, problem_statement, test_patch and FAIL_TO_PASS.",
      });
    const x = parsed.data;
    // The dataset gives the test lists as JSON strings; a list is taken as it is.
    const ids = (name: string, v: string[] | string | undefined): string[] => {
      let list: unknown = v ?? [];
      try {
        if (typeof list === "string") list = JSON.parse(list);
      } catch {}
      if (!Array.isArray(list) || !list.every((t) => typeof t === "string"))
        throw new InputError({
          problem: `${where}: ${name} is not a list of test ids.`,
          fix: `Give ${name} as a JSON list of test ids, e.g. ["tests/test_a.py::test_one"].`,
        });
      return list;
    };
    const run = x.test_command ?? "python -m pytest -q";
    const command = (tests: string[]) => `${run} ${tests.map(shellQuote).join(" ")}`;
    // `repo` names a folder (relative to the file) when one is there; otherwise it is GitHub's owner/name.
    const local = isAbsolute(x.repo) ? x.repo : resolve(dirname(file), x.repo);
    const hidden = ids("FAIL_TO_PASS", x.FAIL_TO_PASS);
    const keep = ids("PASS_TO_PASS", x.PASS_TO_PASS);
    // No test ids would run the repository's whole suite, which says nothing about this instance.
    if (hidden.length === 0)
      throw new InputError({
        problem: `${where}: FAIL_TO_PASS names no test.`,
        fix: "Name the tests the fix must make pass.",
      });
    tasks.push(
      checkedTask(where, {
        id: x.instance_id,
        repo: existsSync(local)
          ? { path: local, commit: x.base_commit }
          : { url: `https://github.com/${x.repo}.git`, commit: x.base_commit },
        spec: `# ${x.instance_id}\n\n${x.problem_statement}`,
        hidden: { patch: x.test_patch },
        test: command(hidden),
        ...(keep.length > 0 ? { keep: command(keep) } : {}),
      }),
    );
  }
  return tasks;
}
