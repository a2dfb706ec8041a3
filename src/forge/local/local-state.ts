import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { DashboardMarkerSchema } from "../../domain/markers.js";
import { PlanNodeSchema } from "../../domain/plan/plan.js";
import { NODE_STATUSES } from "../../domain/state/node-status.js";

// What the local forge keeps besides git: the spec, comments, node records, the PR, reviews and check runs,
// in one JSON file, written whole (to a temporary file, then renamed) so a crash never leaves half of it.

const Comment = z.object({ id: z.int(), key: z.string(), body: z.string() });
const Issue = z.object({
  number: z.int(),
  title: z.string(),
  body: z.string().nullable(),
  state: z.enum(["open", "closed"]),
  comments: z.array(Comment),
  reactions: z.array(z.string()),
});
const NodeRecord = z.object({
  spec: z.int(),
  issue: z.int(),
  node: PlanNodeSchema,
  status: z.enum(NODE_STATUSES),
  branch: z.string(),
  /** While a revision is pending or running: what it must change. */
  revision: z.string().optional(),
  summary: z.string().optional(),
  handoff: z.string().optional(),
  /** Once done: what it committed and how its checks went, for people. */
  report: z.string().optional(),
  blockedBy: z.array(z.int()),
});
const Pull = z.object({
  number: z.int(),
  head: z.string(),
  base: z.string(),
  title: z.string(),
  body: z.string(),
  draft: z.boolean(),
  state: z.enum(["open", "closed"]),
  reviewers: z.array(z.string()),
  reviews: z.array(
    z.object({
      id: z.int(),
      key: z.string(),
      commitSha: z.string(),
      body: z.string(),
      comments: z.array(
        z.object({
          path: z.string(),
          line: z.int(),
          body: z.string(),
          /** Missing in state files written before line comments had threads. */
          id: z.int().optional(),
          /** swarm's replies on the comment's thread, keyed as on GitHub, and whether it is resolved. */
          replies: z.array(z.object({ key: z.string(), body: z.string() })).optional(),
          resolved: z.boolean().optional(),
        }),
      ),
    }),
  ),
});
const CheckRun = z.object({
  id: z.int(),
  name: z.string(),
  headSha: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  title: z.string(),
  summary: z.string(),
  annotations: z.array(
    z.object({
      path: z.string(),
      startLine: z.int(),
      endLine: z.int(),
      level: z.enum(["notice", "warning", "failure"]),
      message: z.string(),
      title: z.string().optional(),
    }),
  ),
});

export const LocalStateSchema = z.object({
  nextId: z.int(),
  issues: z.array(Issue),
  dashboards: z.array(z.object({ spec: z.int(), commentId: z.int(), meta: DashboardMarkerSchema })),
  nodes: z.array(NodeRecord),
  pulls: z.array(Pull),
  checkRuns: z.array(CheckRun),
});
export type LocalState = z.infer<typeof LocalStateSchema>;

export const EMPTY_STATE: LocalState = {
  nextId: 1,
  issues: [],
  dashboards: [],
  nodes: [],
  pulls: [],
  checkRuns: [],
};

type StateFile = { read(): LocalState; update<T>(change: (s: LocalState) => T): T };
const open = new Map<string, StateFile>();

/**
 * The state file, read (or empty) and written atomically. One instance per path in the process, so every
 * forge over it sees every change (the CLI runs the whole pipeline in one process).
 */
export function localStateFile(path: string): StateFile {
  const known = open.get(path);
  if (known) return known;
  const created = openStateFile(path);
  open.set(path, created);
  return created;
}

function openStateFile(path: string): StateFile {
  let state: LocalState = existsSync(path)
    ? LocalStateSchema.parse(JSON.parse(readFileSync(path, "utf8")))
    : structuredClone(EMPTY_STATE);
  return {
    read: (): LocalState => state,
    /** Changes the state and saves it; returns what `change` returned. */
    update<T>(change: (s: LocalState) => T): T {
      const next = structuredClone(state);
      const result = change(next);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(next, null, 2));
      renameSync(`${path}.tmp`, path);
      state = next;
      return result;
    },
  };
}
