import { z } from "zod";
import { INTEGRATION_LEAF } from "../branch/branch-names.js";

export const NODE_ROLES = ["implement", "test", "docs", "refactor", "integrate"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export const NODE_SIZES = ["S", "M", "L"] as const;
export type NodeSize = (typeof NODE_SIZES)[number];

/** Relative weights of the estimated sizes, used for the critical path when no better figure exists. */
export const SIZE_WEIGHTS: Record<NodeSize, number> = { S: 1, M: 2, L: 4 };

// Node ids appear in branch names and job ids, so they are short slugs (no ':' for BullMQ, no '/').
export const NodeIdSchema = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/,
    "must be a slug: lowercase letters, digits and dashes, at most 40",
  )
  .refine((id) => id !== INTEGRATION_LEAF, `"${INTEGRATION_LEAF}" is reserved for the integration branch`);

export const OwnedPathSchema = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith("/") && !p.startsWith("./") && !p.includes("\\") && !p.split("/").includes(".."),
    {
      message: "must be a path or glob relative to the repository root, with / separators",
    },
  );

export const PlanNodeSchema = z.strictObject({
  id: NodeIdSchema.describe("Short slug, unique in the plan."),
  title: z.string().min(1).max(200),
  role: z.enum(NODE_ROLES),
  goal: z.string().min(1).describe("What this node delivers, in a few sentences."),
  owns: z.array(OwnedPathSchema).min(1).describe("Files (paths or globs) that only this node may change."),
  dependsOn: z.array(NodeIdSchema).default([]).describe("Ids of nodes whose work this node builds on."),
  acceptance: z.array(z.string().min(1)).min(1).describe("Checks that show this node is done."),
  size: z.enum(NODE_SIZES).describe("Estimated size: S (under an hour of work), M, or L."),
});
export type PlanNode = z.infer<typeof PlanNodeSchema>;

export const INTERFACE_KINDS = ["function", "type", "route", "file-format", "other"] as const;

/** What nodes share: one provides it, the others build on it as it is written here. */
export const PlanInterfaceSchema = z.strictObject({
  name: z.string().min(1).max(200).describe("What it is called: a function, type, route or file's name."),
  kind: z.enum(INTERFACE_KINDS),
  definition: z
    .string()
    .min(1)
    .describe("Its exact shape: a signature, a type's fields, a route with its request and response."),
  provider: NodeIdSchema.describe("The node that builds it."),
  users: z.array(NodeIdSchema).default([]).describe("The nodes that use it."),
});
export type PlanInterface = z.infer<typeof PlanInterfaceSchema>;

export const PlanSchema = z.strictObject({
  summary: z.string().default("").describe("What the plan does, and why it has as many nodes as it has."),
  nodes: z.array(PlanNodeSchema).min(1),
  // Optional, so plans written before it (markers on GitHub, recorded traces) still parse.
  interfaces: z
    .array(PlanInterfaceSchema)
    .optional()
    .describe("The interfaces that nodes share; none when no node uses another's work."),
});
export type Plan = z.infer<typeof PlanSchema>;
