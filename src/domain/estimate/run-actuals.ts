import { z } from "zod";
import { UsageSchema } from "../budget/usage.js";
import { NODE_SIZES } from "../plan/plan.js";

/** The roles an estimate counts. The integrator's rare conflict fixes are booked with the node it merges. */
export const ESTIMATED_ROLES = ["planner", "coder", "reviewer"] as const;
export type EstimatedRole = (typeof ESTIMATED_ROLES)[number];

const RoleSpendSchema = z.object({
  model: z.string(),
  tokens: z.number().nonnegative(),
  usd: z.number().nonnegative(),
});

export const RangeSchema = z.object({ low: z.number().nonnegative(), high: z.number().nonnegative() });
export type Range = z.infer<typeof RangeSchema>;

/** What an estimate said before the nodes started: cost, tokens by role, duration, and what it rests on. */
export const PlanEstimateSchema = z.object({
  usd: RangeSchema,
  tokens: RangeSchema.extend({
    byRole: z.record(z.enum(ESTIMATED_ROLES), RangeSchema.extend({ model: z.string() })),
  }),
  /** From the end of planning to the end of the last review: the nodes' critical path, then the reviews. */
  seconds: RangeSchema,
  /** "priors", or "N earlier runs": how many finished runs of this repository calibrated it. */
  basis: z.string(),
  runs: z.int().nonnegative(),
  /** What planning had spent when the estimate was made (it is part of the estimate, as known). */
  planned: z.object({ tokens: z.number().nonnegative(), usd: z.number().nonnegative() }).optional(),
});
export type PlanEstimate = z.infer<typeof PlanEstimateSchema>;

/**
 * What one finished run actually took, kept per repository so the next plan's estimate learns from it.
 * Tokens are all kinds (input, output, cache read and write); `byModel` keeps their mix, for pricing.
 */
export const RunActualsSchema = z.object({
  v: z.literal(1),
  runId: z.string(),
  status: z.string(),
  finishedAt: z.string(),
  /** The whole run, planning included. */
  seconds: z.number().nonnegative(),
  /** From the start to the plan: not part of an estimate made after planning. */
  planSeconds: z.number().nonnegative(),
  /** Reviews of the merged result (one, plus one per revision round). */
  reviews: z.int().nonnegative(),
  nodes: z.array(
    z.object({
      id: z.string(),
      size: z.enum(NODE_SIZES),
      tokens: z.number().nonnegative(),
      usd: z.number().nonnegative(),
      /** Its first coding, without revisions (their time counts toward the reviews'). */
      seconds: z.number().nonnegative(),
    }),
  ),
  roles: z.record(z.enum(ESTIMATED_ROLES), RoleSpendSchema),
  byModel: z.record(z.string(), UsageSchema),
  usd: z.number().nonnegative(),
  tokens: z.number().nonnegative(),
  /** The estimate made for this run, to compare with. */
  estimate: PlanEstimateSchema.optional(),
  /** The longest run of the repository's checks in a node's sandbox (its baseline): what `cache.ttl: auto` reads. */
  checkSeconds: z.number().nonnegative().optional(),
});
export type RunActuals = z.infer<typeof RunActualsSchema>;
