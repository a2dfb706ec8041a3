import { specOfRunBranch } from "../domain/branch/branch-names.js";
import { approvalTicked } from "../domain/commands/approval-checkbox.js";
import { parseCommand } from "../domain/commands/parse-command.js";
import { readMarker } from "../domain/markers.js";
import type { ForgeEvent } from "./forge-events.js";
import { type JobToEnqueue, jobId } from "./jobs.js";

/** A run's branch or PR moved (swarm's own pushes among them): what swarm remembers of it is checked. */
export type RunMoved = {
  installationId: number;
  repo: { owner: string; name: string };
  spec: number;
  branch: string;
  headSha: string;
  /** The push deleted the branch, or the PR was closed. */
  gone: boolean;
  pullNumber?: number;
};

export type IntakeDecision = { enqueue: JobToEnqueue } | { ignore: string } | { moved: RunMoved };

/**
 * What a webhook asks of swarm, decided from the payload alone so the handler answers in milliseconds:
 * everything slow or fallible (permissions, configuration, the API) happens in the job. Events caused by
 * bots, swarm itself included, never trigger anything; the actor's type is checked, not its name.
 */
export function decideIntake(event: ForgeEvent): IntakeDecision {
  const key = (...rest: (string | number)[]) => jobId(event.repo.owner, event.repo.name, ...rest);
  // Checks are reported by CI apps (bots): they continue a run swarm started, and drive nothing else. The
  // review job acts only on the head commit of a run's PR. One job per completion, so none is lost.
  if (event.kind === "checks-completed") {
    return {
      enqueue: {
        queue: "review",
        id: jobId("review", key(event.headSha, event.source, event.id)),
        data: {
          installationId: event.installationId,
          repo: event.repo,
          headSha: event.headSha,
          headBranch: event.headBranch,
          pullNumbers: event.pullNumbers,
        },
      },
    };
  }
  const base = { installationId: event.installationId, repo: event.repo, sender: event.sender };
  if (event.kind === "comment-edited") {
    // Only a tick of the approval box on swarm's dashboard. swarm's own edits of its dashboard arrive here
    // too, but it always renders the box unticked, so none of them is a tick. A tick by a bot is queued
    // as well, to be undone (it never approves).
    if (!readMarker(event.comment.body, "dashboard")) return { ignore: "not swarm's dashboard" };
    if (!approvalTicked(event.before, event.comment.body))
      return { ignore: "not a tick of the approval box" };
    return {
      enqueue: {
        queue: "command",
        // One job per edit: a redelivery of it has the same comment and time, and adds nothing.
        id: jobId("command", key("tick", event.comment.id, event.comment.updatedAt, event.sender.login)),
        data: {
          ...base,
          issue: event.issue,
          commentId: event.comment.id,
          command: { verb: "approve", args: "" },
          at: { kind: "checkbox", updatedAt: event.comment.updatedAt },
        },
      },
    };
  }
  // Whoever moved them, swarm included: only what the memo does not already hold makes it read GitHub.
  if (event.kind === "branch-pushed" || event.kind === "pull-request") {
    const moved =
      event.kind === "pull-request"
        ? {
            branch: event.pull.headRef,
            headSha: event.pull.headSha,
            gone: event.action === "closed",
            pullNumber: event.pull.number,
          }
        : { branch: event.branch, headSha: event.headSha, gone: event.deleted };
    const spec = specOfRunBranch(moved.branch);
    if (spec === null) return { ignore: "not a branch of a swarm run" };
    return { moved: { installationId: event.installationId, repo: event.repo, spec, ...moved } };
  }
  if (event.sender.type === "Bot") return { ignore: `sent by a bot (${event.sender.login})` };

  if (event.kind === "issue-labeled") {
    // Whether this label is swarm's trigger is in the repository's config, which the job reads.
    return {
      enqueue: {
        queue: "plan",
        id: jobId("plan", key(event.issue.number)),
        data: { ...base, spec: event.issue, trigger: { kind: "label", label: event.label } },
      },
    };
  }
  if (event.kind === "comment-created") {
    const command = parseCommand(event.comment.body);
    if (!command) return { ignore: "not a /swarm command" };
    if ((command.verb === "plan" || command.verb === "replan") && !event.issue.isPullRequest) {
      // A dry run shares the label's id (one plan at a time); each replan is its own request.
      const id =
        command.verb === "plan"
          ? jobId("plan", key(event.issue.number))
          : jobId("replan", key(event.issue.number, event.comment.id));
      return {
        enqueue: {
          queue: "plan",
          id,
          data: {
            ...base,
            spec: { number: event.issue.number, title: "", body: null },
            trigger: {
              kind: "command",
              verb: command.verb,
              commentId: event.comment.id,
              ...(command.verb === "replan" && command.args
                ? { feedback: command.args.slice(0, 20_000) }
                : {}),
            },
          },
        },
      };
    }
    return {
      enqueue: {
        queue: "command",
        id: jobId("command", key(event.comment.id)),
        data: { ...base, issue: event.issue, commentId: event.comment.id, command },
      },
    };
  }
  if (event.kind === "review-comment-created") {
    const command = parseCommand(event.comment.body);
    if (!command) return { ignore: "not a /swarm command" };
    return {
      enqueue: {
        queue: "command",
        id: jobId("command", key("line", event.comment.id)),
        data: {
          ...base,
          issue: { number: event.pullNumber, isPullRequest: true },
          commentId: event.comment.id,
          command,
          at: { kind: "review-line", path: event.comment.path, line: event.comment.line },
        },
      },
    };
  }
  if (event.kind === "review-submitted") {
    // A review that requests changes is a `/swarm revise` with the review as its feedback.
    if (event.review.state !== "changes_requested")
      return { ignore: `a review that is ${event.review.state}` };
    return {
      enqueue: {
        queue: "command",
        id: jobId("command", key("review", event.review.id)),
        data: {
          ...base,
          issue: { number: event.pullNumber, isPullRequest: true },
          commentId: event.review.id,
          command: { verb: "revise", args: event.review.body ?? "" },
          at: { kind: "review" },
        },
      },
    };
  }
  return { ignore: `${(event as ForgeEvent).kind} is handled by later stages` };
}
