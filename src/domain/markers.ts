import { z } from "zod";
import { PlanEstimateSchema } from "./estimate/run-actuals.js";
import { PlanInterfaceSchema, PlanNodeSchema, PlanSchema } from "./plan/plan.js";
import { NODE_STATUSES } from "./state/node-status.js";
import { RUN_STATUSES } from "./state/run-status.js";

// Hidden markers make every GitHub write idempotent and let a run be rebuilt from GitHub alone. The payload
// is base64url JSON, so nothing in it can close the HTML comment or render.

export const NodeMarkerSchema = z.object({
  v: z.literal(1),
  spec: z.int().positive(),
  node: PlanNodeSchema,
  status: z.enum(NODE_STATUSES),
  branch: z.string(),
  /** What the node's coder said it did, kept for the PR body. */
  summary: z.string().optional(),
  /** Its notes for the nodes that depend on it, which their coders read. */
  handoff: z.string().optional(),
  /** While a revision is pending or running: what it must change. */
  revision: z.string().optional(),
});
export type NodeMarker = z.infer<typeof NodeMarkerSchema>;

export const DashboardMarkerSchema = z.object({
  v: z.literal(1),
  spec: z.int().positive(),
  /** Names the run in traces and ledgers; a replan starts a new one. */
  runId: z.string().optional(),
  dryRun: z.boolean().optional(),
  status: z.enum(RUN_STATUSES),
  summary: z.string(),
  nodeOrder: z.array(z.string()),
  /** The interfaces the plan's nodes share, for the reviewer of a run rebuilt from GitHub. */
  interfaces: z.array(PlanInterfaceSchema).optional(),
  /** Review-and-revise rounds so far, and the head commit the last review was about. */
  round: z.int().nonnegative().optional(),
  reviewedSha: z.string().optional(),
  /** One line per revision round: which nodes were sent back, and why. */
  tried: z.array(z.string()).optional(),
  /** The identities of the failures the last revision round was sent to fix: one coming back stops the loop. */
  targeted: z.array(z.string()).optional(),
  /**
   * Failed checks that were run again (once per head commit) because they looked flaky: the commit, the
   * checks, the ids of the failed check runs (until new ones replace them, the re-run is under way) and why.
   */
  reruns: z
    .array(
      z.object({
        sha: z.string(),
        checks: z.array(z.string()),
        ids: z.array(z.int()),
        why: z.array(z.string()),
      }),
    )
    .optional(),
  /**
   * What the last revision round was sent to fix besides failing checks (the spec's gaps, weakened tests):
   * a revision that leaves the head unchanged leaves these standing, so the run stops rather than go green.
   */
  standing: z.array(z.string()).optional(),
  /**
   * The review line comments that revisions were sent to answer, until a pushed head has them: each gets a
   * reply naming that commit and its thread is resolved. `sha` is the node's branch when it was sent back
   * (a branch still there has not changed); `asker` is the person who asked (none for swarm's own review).
   */
  threads: z
    .array(
      z.object({
        comment: z.int(),
        node: z.string(),
        round: z.int().nonnegative(),
        sha: z.string().optional(),
        asker: z.string().optional(),
      }),
    )
    .optional(),
  /** Node id → the head commits on which it was caught weakening tests: a second one fails the run. */
  weakened: z.record(z.string(), z.array(z.string())).optional(),
  /** When the run entered its status (ISO time), so the dashboard can say how long it has been there. */
  statusSince: z.string().optional(),
  /** The plan while its sub-issues are being laid out, so a plan job cut off part-way can finish it. */
  pendingPlan: PlanSchema.optional(),
  /** What the plan was estimated to cost and take when it was made, shown beside what it did. */
  estimate: PlanEstimateSchema.optional(),
});

export type DashboardMarker = z.infer<typeof DashboardMarkerSchema>;

export const KeyMarkerSchema = z.object({ v: z.literal(1), key: z.string() });

const SCHEMAS = {
  node: NodeMarkerSchema,
  dashboard: DashboardMarkerSchema,
  review: KeyMarkerSchema,
  pr: KeyMarkerSchema,
  note: KeyMarkerSchema,
};
export type MarkerKind = keyof typeof SCHEMAS;

export function renderMarker<K extends MarkerKind>(kind: K, data: z.infer<(typeof SCHEMAS)[K]>): string {
  return `<!-- swarm:${kind} ${Buffer.from(JSON.stringify(data)).toString("base64url")} -->`;
}

/** The marker of `kind` in a body, validated; null when there is none or it does not parse. */
export function readMarker<K extends MarkerKind>(
  body: string | null | undefined,
  kind: K,
): z.infer<(typeof SCHEMAS)[K]> | null {
  const found = new RegExp(`<!-- swarm:${kind} ([A-Za-z0-9_-]+) -->`).exec(body ?? "");
  if (!found?.[1]) return null;
  try {
    const parsed = SCHEMAS[kind].safeParse(JSON.parse(Buffer.from(found[1], "base64url").toString("utf8")));
    return parsed.success ? (parsed.data as z.infer<(typeof SCHEMAS)[K]>) : null;
  } catch {
    return null;
  }
}
