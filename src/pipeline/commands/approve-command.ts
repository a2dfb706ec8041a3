import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, LoadedRun } from "../forge.js";
import type { CommandJob } from "../jobs.js";
import { runOfCommand } from "./run-of-command.js";

const WRITERS = new Set(["admin", "maintain", "write"]);

/** Hands an approved run to the scheduler (starting a run it holds already changes nothing). */
export type StartApproved = (run: LoadedRun) => Promise<void>;

export type ApproveOutcome =
  | { kind: "answered"; verb: "approve" }
  | { kind: "refused"; reason: string }
  | { kind: "ignored"; reason: string };

/**
 * `/swarm approve`, or a tick of the dashboard's approval box: a person with write access starts the nodes
 * of a plan that waits for approval. A tick by anyone else (no write access, or a bot) is undone, by
 * rendering the dashboard again, and answered. The run's status decides, so an approval that comes again
 * (a redelivered edit, a second approver) starts nothing twice.
 */
export async function approveCommand(
  job: CommandJob,
  forge: Forge,
  startApproved: StartApproved,
): Promise<ApproveOutcome> {
  const tick = job.at?.kind === "checkbox";
  const login = job.sender.login;
  const bot = job.sender.type === "Bot";
  // A bot's comment never drives swarm, and gets no answer (two bots could answer each other for ever).
  if (bot && !tick) return { kind: "ignored", reason: "bots cannot drive swarm" };
  const issue = job.issue.number;
  const permission = bot ? null : await forge.getPermission(login);
  // A tick is a person's edit of the dashboard: read back from GitHub, so an undo is written over it.
  const found = await runOfCommand(forge, job.issue, { rebuild: tick });
  const waiting = found?.run.meta.status === "awaiting-approval";
  if (permission === null || !WRITERS.has(permission)) {
    if (tick && found && waiting)
      await refreshDashboard(forge, found.spec, {
        ifStatus: ["awaiting-approval"],
        headline: `Planned ${found.run.plan.nodes.length} nodes; waiting for approval before coding.`,
      });
    await forge.ensureComment(
      issue,
      `approve-permission-${login}`,
      `@${login}, thank you for looking at the plan. Only people with write access to this repository can approve it${permission === null ? "" : ` (you have ${permission} access)`}, so ${tick ? "the box was unticked again" : "nothing was started"}. A maintainer can tick the box or comment \`/swarm approve\`.`,
    );
    return { kind: "refused", reason: `${login} has ${permission ?? "bot"} access` };
  }
  if (!tick) await forge.addReaction({ commentId: job.commentId }, "eyes");
  if (!found || !waiting) {
    // A redelivered tick, or a box ticked on a dashboard that has moved on: there is nothing to say.
    if (tick) return { kind: "ignored", reason: `the run is ${found?.run.meta.status ?? "missing"}` };
    await forge.ensureComment(
      issue,
      `approve-${job.commentId}`,
      found
        ? `@${login}: the run is ${found.run.meta.status}, so there is no plan waiting for approval.`
        : `@${login}: swarm has no run on this issue to approve. Add the \`swarm\` label to plan one.`,
    );
    return { kind: "answered", verb: "approve" };
  }
  const { spec, run } = found;
  const count = run.plan.nodes.length;
  await refreshDashboard(forge, spec, {
    status: "coding",
    ifStatus: ["awaiting-approval"],
    headline: `Approved by @${login}; coding ${count} nodes.`,
  });
  // Only now do the nodes start: one that finishes fast must not have its progress overwritten above.
  await startApproved(run);
  await forge.ensureComment(
    issue,
    `approve-${run.meta.runId}`,
    `@${login} approved the plan: coding its ${count} ${count === 1 ? "node" : "nodes"} now.`,
  );
  return { kind: "answered", verb: "approve" };
}
