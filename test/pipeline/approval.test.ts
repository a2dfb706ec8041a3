import { describe, expect, it } from "vitest";
import { APPROVAL_BOX, approvalTicked } from "../../src/domain/commands/approval-checkbox.js";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { describeEstimate } from "../../src/domain/estimate/describe-estimate.js";
import { estimatePlan } from "../../src/domain/estimate/estimate-plan.js";
import { renderMarker } from "../../src/domain/markers.js";
import { renderDashboard } from "../../src/pipeline/dashboard/render-dashboard.js";
import type { ForgeEvent } from "../../src/pipeline/forge-events.js";
import { decideIntake } from "../../src/pipeline/intake.js";
import { needsApproval } from "../../src/pipeline/plan/needs-approval.js";
import { node } from "../support/plans.js";

const one = { summary: "One node.", nodes: [node("a")] };
const estimate = estimatePlan({ plan: one, config: RepoConfigSchema.parse({}) });

const TICKED = APPROVAL_BOX.replace("[ ]", "[x]");
const marker = renderMarker("dashboard", {
  v: 1,
  spec: 12,
  status: "awaiting-approval",
  summary: "",
  nodeOrder: [],
});
const dashboard = (box: string) => `### 🐝 swarm · awaiting-approval\n\n${box}\n\n${marker}`;
const edited = (before: string | null, after: string, type = "User"): ForgeEvent => ({
  installationId: 9,
  repo: { owner: "acme", name: "shop" },
  sender: { login: type === "Bot" ? "swarm-app[bot]" : "ana", type },
  kind: "comment-edited",
  issue: { number: 12, isPullRequest: false },
  comment: { id: 555, body: after, updatedAt: "2025-01-02T03:04:05Z" },
  before,
});

describe("needsApproval", () => {
  it("never waits for auto, always for required, and for a threshold the estimate's high end may pass", () => {
    expect(needsApproval("auto", 1000)).toBe(false);
    expect(needsApproval("required", 0)).toBe(true);
    expect(needsApproval(5, 8)).toBe(true);
    expect(needsApproval(10, 8)).toBe(false);
    expect(needsApproval(8, 8)).toBe(false);
    // No estimate: a threshold cannot be shown to hold, so it waits.
    expect(needsApproval(10, null)).toBe(true);
  });

  it("defaults to auto, and takes a USD number", () => {
    expect(RepoConfigSchema.parse({}).limits.approval).toBe("auto");
    expect(RepoConfigSchema.parse({ limits: { approval: 2.5 } }).limits.approval).toBe(2.5);
    expect(RepoConfigSchema.safeParse({ limits: { approval: "sometimes" } }).success).toBe(false);
    expect(RepoConfigSchema.safeParse({ limits: { approval: -1 } }).success).toBe(false);
  });
});

describe("the approval box", () => {
  it("counts only unticked → ticked as a tick", () => {
    expect(approvalTicked(dashboard(APPROVAL_BOX), dashboard(TICKED))).toBe(true);
    expect(approvalTicked(dashboard(APPROVAL_BOX), dashboard(APPROVAL_BOX.replace("[ ]", "[X]")))).toBe(true);
    expect(approvalTicked(dashboard(TICKED), dashboard(APPROVAL_BOX))).toBe(false); // unticked (swarm's undo)
    expect(approvalTicked(dashboard(APPROVAL_BOX), dashboard(APPROVAL_BOX))).toBe(false);
    expect(approvalTicked(null, dashboard(TICKED))).toBe(false); // the body did not change
    expect(approvalTicked("no box here", dashboard(TICKED))).toBe(false);
    // Quoted (in a summary, say), it is not the box.
    expect(approvalTicked(`> ${APPROVAL_BOX}`, `> ${TICKED}`)).toBe(false);
  });

  it("queues an approval for a tick on swarm's dashboard, one job per edit, and ignores other edits", () => {
    const decided = decideIntake(edited(dashboard(APPROVAL_BOX), dashboard(TICKED)));
    expect(decided).toEqual({
      enqueue: {
        queue: "command",
        id: "command-acme-shop-tick-555-2025-01-02T03_04_05Z-ana",
        data: expect.objectContaining({
          commentId: 555,
          command: { verb: "approve", args: "" },
          at: { kind: "checkbox", updatedAt: "2025-01-02T03:04:05Z" },
        }),
      },
    });
    // swarm re-rendering its dashboard (its bot unticking, or any other edit) drives nothing.
    expect(decideIntake(edited(dashboard(TICKED), dashboard(APPROVAL_BOX), "Bot"))).toEqual({
      ignore: "not a tick of the approval box",
    });
    expect(decideIntake(edited(APPROVAL_BOX, TICKED))).toEqual({ ignore: "not swarm's dashboard" });
    // Another bot's tick is queued, to be undone (the command stage never lets a bot approve).
    expect("enqueue" in decideIntake(edited(dashboard(APPROVAL_BOX), dashboard(TICKED), "Bot"))).toBe(true);
  });

  it("is on the dashboard only while the plan waits, with its summary and estimate", () => {
    const view = {
      spec: 12,
      dryRun: false,
      headline: "Planned 1 nodes; waiting for approval before coding.",
      plan: one,
      states: {},
      nodeIssues: {},
      branches: {},
      ledger: null,
      estimate,
    };
    const waiting = renderDashboard({ ...view, status: "awaiting-approval" });
    expect(waiting).toContain(`\n${APPROVAL_BOX}\n`);
    expect(waiting).toContain(`Estimated: ${describeEstimate(estimate)}.`);
    expect(waiting).toContain("> One node.");
    expect(renderDashboard({ ...view, status: "coding" })).not.toContain(APPROVAL_BOX);
  });
});
