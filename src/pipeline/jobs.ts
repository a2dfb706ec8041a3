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
    z.object({ kind: z.literal("command"), verb: z.enum(["plan", "replan"]), commentId: z.int() }),
  ]),
  sender: Sender,
});
export type PlanJob = z.infer<typeof PlanJobSchema>;

export const CommandJobSchema = z.object({
  installationId: z.int(),
  repo: Repo,
  issue: z.object({ number: z.int().positive(), isPullRequest: z.boolean() }),
  commentId: z.int(),
  command: z.union([
    z.object({ verb: z.enum(COMMAND_VERBS), args: z.string() }),
    z.object({ verb: z.literal("unknown"), word: z.string() }),
  ]),
  sender: Sender,
});
export type CommandJob = z.infer<typeof CommandJobSchema>;

export type QueueName = "plan" | "command";
export type JobToEnqueue =
  | { queue: "plan"; id: string; data: PlanJob }
  | { queue: "command"; id: string; data: CommandJob };

/** Where intake puts work. BullMQ implements it (src/queue); a job id that exists already is not added again. */
export type JobQueue = { add(job: JobToEnqueue): Promise<void> };

/** Job ids are deterministic, so a redelivered webhook or a second label adds nothing. BullMQ forbids ':'. */
export function jobId(...parts: (string | number)[]): string {
  return parts.map((p) => String(p).replace(/[^A-Za-z0-9._-]/g, "_")).join("-");
}
