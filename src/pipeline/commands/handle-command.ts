import { findNodeBranch } from "../../domain/branch/branch-names.js";
import { COMMAND_HELP } from "../../domain/commands/parse-command.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge } from "../forge.js";
import type { CommandJob } from "../jobs.js";
import type { Rerun } from "../review/send-revisions.js";
import { approveCommand, type StartApproved } from "./approve-command.js";
import { type Reintegrate, type RetryHelpers, retryCommand } from "./retry-command.js";
import { type ReviseDeps, reviseCommand } from "./revise-command.js";
import { runOfCommand } from "./run-of-command.js";

const WRITERS = new Set(["admin", "maintain", "write"]);

export type CommandOutcome =
  | { kind: "answered"; verb: string }
  | { kind: "refused"; reason: string }
  | { kind: "ignored"; reason: string };

/** `/swarm` commands other than plan and replan (which the plan stage handles). */
export type CommandDeps = RetryHelpers & {
  /** Stops a run in the scheduler: queued nodes are dropped, running ones stop at their next turn. */
  cancelRun: (runId: string) => Promise<void>;
  rerun: Rerun;
  revise: Omit<ReviseDeps, "rerun">;
  /** Queues the merge of a run whose nodes are all done (when its PR is missing). */
  reintegrate: Reintegrate;
  /** Starts the nodes of a run that waited for approval. */
  startApproved: StartApproved;
};

export async function handleCommand(
  job: CommandJob,
  forge: Forge,
  deps: CommandDeps,
): Promise<CommandOutcome> {
  // Before the checks below: a tick of the approval box by a bot or a reader is undone, not only refused.
  if (job.command.verb === "approve") return approveCommand(job, forge, deps.startApproved);
  if (job.sender.type === "Bot") return { kind: "ignored", reason: "bots cannot drive swarm" };
  const issue = job.issue.number;
  const permission = await forge.getPermission(job.sender.login);
  if (!WRITERS.has(permission)) {
    await forge.ensureComment(
      issue,
      `permission-${job.sender.login}`,
      `@${job.sender.login}, only people with write access to this repository can drive swarm (you have ${permission} access).`,
    );
    return { kind: "refused", reason: `${job.sender.login} has ${permission} access` };
  }
  // Acknowledged at once; a review has no reactions of its own, so its answer is the acknowledgement.
  if (job.at?.kind === "review-line") await forge.addReaction({ reviewCommentId: job.commentId }, "eyes");
  else if (job.at?.kind !== "review") await forge.addReaction({ commentId: job.commentId }, "eyes");
  const command = job.command;
  if (command.verb === "revise" || command.verb === "retry") {
    const answer =
      command.verb === "revise"
        ? await reviseCommand(job, forge, {
            ...deps.revise,
            rerun: deps.rerun,
            ...(deps.reconcile ? { reconcile: deps.reconcile } : {}),
          })
        : await retryCommand(job, forge, deps.rerun, deps.reintegrate, deps);
    await forge.ensureComment(issue, `${command.verb}-${job.commentId}`, `@${job.sender.login}: ${answer}`);
    return { kind: "answered", verb: command.verb };
  }

  if (command.verb === "help" || command.verb === "unknown") {
    const intro = command.verb === "unknown" ? `\`/swarm ${command.word}\` is not a swarm command. ` : "";
    await forge.ensureComment(
      issue,
      `help-${job.commentId}`,
      `${intro}swarm understands these commands:\n\n${COMMAND_HELP}`,
    );
    return { kind: "answered", verb: command.verb };
  }
  if (command.verb === "status") {
    // What GitHub says is what is: the run is rebuilt from GitHub alone (and remembered so).
    const found = await runOfCommand(forge, job.issue, { rebuild: true });
    const resumed = found ? await deps.reconcile?.(found.run) : null;
    if (resumed)
      await forge.ensureComment(issue, `status-${job.commentId}`, `@${job.sender.login}: ${resumed}`);
    const refreshed = await refreshDashboard(forge, found?.spec ?? issue, {
      note: resumed ? "rebuilt from GitHub on request" : "refreshed on request",
    });
    if (!refreshed) {
      await forge.ensureComment(
        issue,
        `status-${job.commentId}`,
        "swarm has no run on this issue. Add the `swarm` label, or comment `/swarm plan` for a dry run.",
      );
    }
    return { kind: "answered", verb: "status" };
  }
  if (command.verb === "cancel") {
    const run = await forge.loadRun(issue);
    if (!run?.meta.runId || run.meta.dryRun) {
      await forge.ensureComment(
        issue,
        `cancel-${job.commentId}`,
        "swarm has no run to cancel on this issue.",
      );
      return { kind: "answered", verb: "cancel" };
    }
    await deps.cancelRun(run.meta.runId);
    // Nodes that had not started are closed as not planned; running ones say so themselves when they stop.
    for (const node of run.plan.nodes) {
      const status = run.states[node.id];
      const ref = run.nodeIssues[node.id];
      if (ref && (status === "pending" || status === "ready" || status === "blocked")) {
        await forge.setNodeStatus(
          ref,
          issue,
          node,
          "cancelled",
          findNodeBranch(Object.keys(run.branches), node.id),
        );
      }
    }
    await refreshDashboard(forge, issue, {
      status: "cancelled",
      headline: `Cancelled by @${job.sender.login}: queued nodes were dropped; running nodes stop at their next turn.`,
    });
    return { kind: "answered", verb: "cancel" };
  }
  return { kind: "ignored", reason: `${command.verb} is handled by the plan stage` };
}
