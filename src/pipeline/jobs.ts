import { z } from "zod";
import { COMMAND_VERBS } from "../domain/commands/parse-command.js";

// Job payloads, checked with zod when a worker takes them. They carry an installation id, never a token,
// and a snapshot of the spec issue as it was when swarm was asked: later edits and comments are not the spec.

const Repo = z.object({ owner: z.string(), name: z.string() });
const Sender = z.object({ login: z.string(), type: z.string() });

export const PlanJobSchema = z.object({
  installationId: z.int(),
  repo: Repo,
  spec: z.object({ number: z.int().positive(), title: z.string(), body: z.string().nullable() }),
  trigger: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("label"), label: z.string() }),
    // `retry`: `/swarm retry` on a run whose planning was cut off before it had a plan.
    z.object({
      kind: z.literal("command"),
      verb: z.enum(["plan", "replan", "retry"]),
      commentId: z.int(),
      /** `/swarm replan <feedback>`: what the person wants changed, passed to the planner as data. */
      feedback: z.string().max(20_000).optional(),
    }),
  ]),
  sender: Sender,
});
export type PlanJob = z.infer<typeof PlanJobSchema>;

export const CommandJobSchema = z.object({
  installationId: z.int(),
  repo: Repo,
  issue: z.object({ number: z.int().positive(), isPullRequest: z.boolean() }),
  /** The comment that asked (an issue or PR comment, a line comment, or a review's id). */
  commentId: z.int(),
  command: z.union([
    z.object({ verb: z.enum(COMMAND_VERBS), args: z.string() }),
    z.object({ verb: z.literal("unknown"), word: z.string() }),
  ]),
  /** Where on the PR it was asked: a line of the diff, or a review that requested changes. */
  at: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("review-line"), path: z.string(), line: z.int().nullable() }),
      z.object({ kind: z.literal("review") }),
      // The dashboard's approval checkbox, ticked: `commentId` is the dashboard comment's.
      z.object({ kind: z.literal("checkbox"), updatedAt: z.string() }),
    ])
    .optional(),
  sender: Sender,
});
export type CommandJob = z.infer<typeof CommandJobSchema>;

/** The repository's checks finished on a commit: swarm reviews it if it is a run's PR head. */
export const ReviewJobSchema = z.object({
  installationId: z.int(),
  repo: Repo,
  headSha: z.string(),
  headBranch: z.string().nullable(),
  pullNumbers: z.array(z.int()),
  /**
   * Queued by swarm `validation.ciWaitMinutes` after it opened or updated the PR: if no check has appeared
   * on the head by then, the repository has no PR checks, and swarm runs `validation.ci` itself.
   */
  ciFallback: z.boolean().optional(),
});
export type ReviewJob = z.infer<typeof ReviewJobSchema>;

/** Every node of a run is done: merge them and open or update the PR. */
export const IntegrateJobSchema = z.object({
  installationId: z.int(),
  repo: Repo,
  runId: z.string(),
  spec: z.object({ number: z.int().positive(), title: z.string() }),
  base: z.string(),
  branches: z.record(z.string(), z.string()),
});
export type IntegrateJob = z.infer<typeof IntegrateJobSchema>;

export type QueueName = "plan" | "command" | "review" | "integrate";
export type JobToEnqueue = (
  | { queue: "plan"; id: string; data: PlanJob }
  | { queue: "command"; id: string; data: CommandJob }
  | { queue: "review"; id: string; data: ReviewJob }
  | { queue: "integrate"; id: string; data: IntegrateJob }
) & { /** Run it no sooner than this. */ delayMs?: number };

/** Where intake puts work. BullMQ implements it (src/queue); a job id that exists already is not added again. */
export type JobQueue = { add(job: JobToEnqueue): Promise<void> };

/** Job ids are deterministic, so a redelivered webhook or a second label adds nothing. BullMQ forbids ':'. */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9._-]/g, "_")).join("-");
}
