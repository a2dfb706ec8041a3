import { appendFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../../domain/errors.js";
import {
  type EvalTask,
  type TaskResult,
  TaskResultSchema,
  type Variant,
} from "../../domain/eval/eval-task.js";
import { readModelEnv } from "../../model/read-model-env.js";
import { loadSuite } from "./load-suite.js";
import { runTask, taskDigest } from "./run-task.js";

export type EvalOptions = {
  suite: string;
  /** Where results go: results.jsonl (one line per finished run, what a resumed eval skips), runs/. */
  out: string;
  variants: readonly Variant[];
  repeat: number;
  concurrency: number;
  /** Stop starting runs once the eval has spent this much (USD). */
  budgetUsd?: number;
  env: Readonly<Record<string, string | undefined>>;
  answers: TaskResult["answers"];
  onProgress?: (line: string) => void;
};

export type EvalOutcome = {
  tasks: EvalTask[];
  results: TaskResult[];
  /** Runs not made: the budget was spent first. */
  skipped: number;
  /** Runs that were already done when this eval started (a resumed one). */
  resumed: number;
  /** Runs the harness could not make, and why (not recorded: a resumed eval tries them again). */
  errors: string[];
};

/** A run of a task, one way, one repeat, with these answers: what a resumed eval does not make again. */
const keyOf = (r: Pick<TaskResult, "task" | "variant" | "repeat" | "answers" | "digest">) =>
  [r.task, r.variant, r.repeat, r.answers, r.digest].join("\0");

/**
 * `swarm eval`: every task of the suite, each way asked for (`swarm`, and `single` with `--compare single`),
 * `repeat` times, at most `concurrency` at once. Each finished run is a line of results.jsonl as soon as it
 * ends, so a killed eval, started again with the same --out, picks up where it stopped.
 */
export async function runEval(options: EvalOptions): Promise<EvalOutcome> {
  const tasks = await loadSuite(options.suite);
  // Said before any copy is made: every run needs a model.
  if (!options.env.ANTHROPIC_API_KEY)
    throw new InputError({
      problem: "ANTHROPIC_API_KEY is not set, so the eval's runs have no model to ask.",
      fix: "Set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for another endpoint; with a scripted stand-in there, pass --scripted).",
    });
  readModelEnv(options.env);
  await mkdir(options.out, { recursive: true });
  const file = join(options.out, "results.jsonl");
  const { done, unread } = await readResults(file);
  // What a kill cut short is dropped from the file too, so the next line starts clean: written aside and
  // renamed, so a kill now loses nothing; lines this version cannot read are kept in results.unread.jsonl.
  if (unread.length > 0)
    await appendFile(join(options.out, "results.unread.jsonl"), unread.map((l) => `${l}\n`).join(""));
  await writeFile(`${file}.new`, done.map((r) => `${JSON.stringify(r)}\n`).join(""));
  await rename(`${file}.new`, file);
  const wanted = tasks.flatMap((task) =>
    options.variants.flatMap((variant) =>
      Array.from({ length: options.repeat }, (_, repeat) => ({ task, variant, repeat })),
    ),
  );
  const finished = new Map(done.map((r) => [keyOf(r), r]));
  const keyOfWanted = (w: (typeof wanted)[number]) =>
    keyOf({
      task: w.task.id,
      variant: w.variant,
      repeat: w.repeat,
      answers: options.answers,
      digest: taskDigest(w.task),
    });
  const todo = wanted.filter((w) => !finished.has(keyOfWanted(w)));
  const resumed = wanted.length - todo.length;
  if (resumed > 0) options.onProgress?.(`resuming: ${resumed} of ${wanted.length} runs were done already`);
  let spent = done.reduce((s, r) => s + r.usd, 0);
  let skipped = 0;
  const errors: string[] = [];
  let started = resumed;
  const queue = [...todo];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (options.budgetUsd !== undefined && spent >= options.budgetUsd) {
        skipped++;
        continue;
      }
      const n = ++started;
      const { task, variant, repeat } = next;
      const label = `${task.id} · ${variant}${options.repeat > 1 ? ` #${repeat + 1}` : ""}`;
      options.onProgress?.(`[${n}/${wanted.length}] ${label}: running`);
      const dir = join(options.out, "runs", `${task.id}-${variant}-${repeat}`);
      await rm(dir, { recursive: true, force: true });
      let result: TaskResult;
      try {
        result = await runTask(task, variant, repeat, { env: options.env, dir, answers: options.answers });
      } catch (error) {
        // The harness could not make the run (a clone, the hidden tests' patch): nothing is recorded, so a
        // resumed eval tries it again.
        errors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        options.onProgress?.(`[${n}/${wanted.length}] ${label}: could not be run: ${errors.at(-1)}`);
        continue;
      }
      spent += result.usd;
      await appendFile(file, `${JSON.stringify(result)}\n`);
      finished.set(keyOf(result), result);
      options.onProgress?.(
        `[${n}/${wanted.length}] ${label}: ${result.solved ? "solved" : "not solved"} (swarm said ${result.status}) in ${result.seconds} s, $${result.usd.toFixed(4)}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const results = wanted.flatMap((w) => finished.get(keyOfWanted(w)) ?? []);
  return { tasks, results, skipped, resumed, errors };
}

/**
 * The runs an earlier eval finished. A last line cut short by a kill is dropped (that run is made again); a
 * whole line this version cannot read is handed back, to be kept aside.
 */
async function readResults(file: string): Promise<{ done: TaskResult[]; unread: string[] }> {
  const lines = (await readFile(file, "utf8").catch(() => "")).split("\n");
  const done: TaskResult[] = [];
  const unread: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      if (i < lines.length - 1) unread.push(line);
      continue;
    }
    const parsed = TaskResultSchema.safeParse(json);
    if (parsed.success) done.push(parsed.data);
    else unread.push(line);
  }
  return { done, unread };
}
