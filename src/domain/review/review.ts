import { z } from "zod";
import { dependents } from "../dag/dependents.js";
import { mayWrite } from "../plan/may-write.js";
import type { Plan } from "../plan/plan.js";

export const FindingSchema = z.strictObject({
  path: z.string().describe("File the problem is in, relative to the repository root."),
  line: z.int().nonnegative().describe("Line of the problem in the PR's version of the file; 0 if none."),
  message: z.string().min(1).describe("What is wrong and what to change."),
  node: z.string().describe("Id of the node that owns the file, as the plan says."),
  interfaceChanged: z
    .boolean()
    .describe("True when the fix changes something other nodes use (a signature, an export, a format)."),
});
export type Finding = z.infer<typeof FindingSchema>;

export const ReviewSchema = z.strictObject({
  summary: z.string().describe("What the checks and the diff show, in a few sentences."),
  findings: z.array(FindingSchema).describe("What must change; empty when nothing must."),
});
export type Review = z.infer<typeof ReviewSchema>;

/** A finding of the check against the spec on a green head: a blocking gap, or a note for people. */
export const SpecFindingSchema = FindingSchema.extend({
  blocking: z
    .boolean()
    .describe(
      "True when the spec (or the node's goal) requires something the change does not do or does wrong; false for a note worth a person's attention that nothing requires.",
    ),
});
export type SpecFinding = z.infer<typeof SpecFindingSchema>;

export const SpecReviewSchema = z.strictObject({
  summary: z.string().describe("How the change measures up to the spec, in a few sentences."),
  findings: z
    .array(SpecFindingSchema)
    .describe("Gaps and notes; empty when the change does what the spec asks."),
});
export type SpecReview = z.infer<typeof SpecReviewSchema>;

/**
 * Each finding given to the node that owns its file (the plan's ownership decides, not the model's guess);
 * a finding in a file no node owns goes to the node the model named, when there is one.
 */
export function assignFindings(plan: Plan, findings: readonly Finding[]) {
  const byNode = new Map<string, Finding[]>();
  const unassigned: Finding[] = [];
  for (const finding of findings) {
    const owner =
      plan.nodes.find((n) => mayWrite(n, finding.path, []).ok) ??
      plan.nodes.find((n) => n.id === finding.node);
    if (!owner) {
      unassigned.push(finding);
      continue;
    }
    byNode.set(owner.id, [...(byNode.get(owner.id) ?? []), finding]);
  }
  return { byNode, unassigned };
}

/**
 * The nodes to run again and what each is told: the nodes at fault, and the dependents of a node whose fix
 * changes an interface, so they adapt to it.
 */
export function revisionTargets(
  plan: Plan,
  byNode: ReadonlyMap<string, readonly Finding[]>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, findings] of byNode) {
    out[id] = findings
      .map((f) => `- \`${f.path}${f.line > 0 ? `:${f.line}` : ""}\`: ${f.message}`)
      .join("\n");
  }
  for (const [id, findings] of byNode) {
    if (!findings.some((f) => f.interfaceChanged)) continue;
    for (const d of dependents(plan, id)) {
      if (out[d]) continue;
      out[d] =
        `- Node \`${id}\`, which this node depends on, is changing an interface you may use:\n${findings
          .filter((f) => f.interfaceChanged)
          .map((f) => `  - ${f.message}`)
          .join("\n")}\n  Adapt your files to it once it is done.`;
    }
  }
  return out;
}
