import { z } from "zod";

/** Where a task's repository comes from: a local folder or git repository, or a git URL at a commit. */
export const TaskRepoSchema = z.union([
  z.strictObject({ path: z.string().min(1), commit: z.string().min(1).optional() }),
  z.strictObject({ url: z.string().min(1), commit: z.string().regex(/^[0-9a-f]{7,40}$/) }),
]);

/**
 * One task of an eval suite: a repository, the spec a user would write for it, hidden tests that are put
 * in only after the run (files, or a patch), the command that runs them, and optionally a command for the
 * tests that must keep passing. Hidden tests decide whether the task is solved, not the agent.
 */
export const EvalTaskSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, dots, dashes and underscores"),
  repo: TaskRepoSchema,
  spec: z.string().min(1),
  hidden: z.union([
    z.strictObject({ files: z.record(z.string(), z.string()) }),
    z.strictObject({ patch: z.string().min(1) }),
  ]),
  test: z.string().min(1),
  keep: z.string().min(1).optional(),
});
export type EvalTask = z.infer<typeof EvalTaskSchema>;

/** How a task is run: swarm as configured, or one node and one coder (the single-agent baseline). */
export const VARIANTS = ["swarm", "single"] as const;
export type Variant = (typeof VARIANTS)[number];

/** What one run of a task achieved, as the hidden tests judged it. */
export const TaskResultSchema = z.strictObject({
  task: z.string(),
  variant: z.enum(VARIANTS),
  repeat: z.int().nonnegative(),
  /** The hidden tests (and the tests that must keep passing) passed on the run's result. */
  solved: z.boolean(),
  /** What the hidden tests found failing (test names where the runner gives them). */
  failed: z.array(z.string()),
  /** The tests that had to keep passing did (null: the task names none). */
  kept: z.boolean().nullable(),
  /** What swarm itself said of its result. */
  status: z.string(),
  swarmGreen: z.boolean(),
  usd: z.number().nonnegative(),
  tokens: z.number().nonnegative(),
  tokensByRole: z.record(z.string(), z.number().nonnegative()),
  seconds: z.number().nonnegative(),
  nodes: z.int().nonnegative(),
  revisions: z.int().nonnegative(),
  /** How the model's answers were made: a live model, or a scripted stand-in (`--scripted`). */
  answers: z.enum(["live", "scripted"]),
  /** The Messages API the answers came from, when it was not Anthropic's (ANTHROPIC_BASE_URL). */
  endpoint: z.string().optional(),
  /** The task as it was run (a digest): a result of a task changed since is not reused on resume. */
  digest: z.string(),
});
export type TaskResult = z.infer<typeof TaskResultSchema>;
