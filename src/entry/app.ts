import type { ApplicationFunction } from "probot";
import { parseWebhook } from "../forge/github/parse-webhook.js";
import { decideIntake, type RunMoved } from "../pipeline/intake.js";
import type { JobQueue } from "../pipeline/jobs.js";

/**
 * The Probot app: each delivery is verified (by Probot), parsed, decided from its payload, and queued.
 * Nothing slow or fallible runs before the job is in the queue, so GitHub gets its answer in milliseconds.
 * A run's branch or PR that moved is noted in the run memo (one Redis write) by `moved`.
 */
export function swarmApp(queue: JobQueue, moved?: (event: RunMoved) => Promise<void>): ApplicationFunction {
  return (app) => {
    app.on(
      [
        "issues.labeled",
        "issue_comment.created",
        "issue_comment.edited",
        "push",
        "pull_request",
        "pull_request_review_comment.created",
        "pull_request_review.submitted",
        "check_run.completed",
        "check_suite.completed",
        "workflow_run.completed",
      ],
      async (context) => {
        const event = parseWebhook(context.name, context.payload);
        if (!event) return;
        const decision = decideIntake(event);
        if ("ignore" in decision) {
          context.log.debug({ delivery: context.id, reason: decision.ignore }, "ignored");
          return;
        }
        if ("moved" in decision) {
          await moved?.(decision.moved);
          context.log.debug({ delivery: context.id, spec: decision.moved.spec }, "run moved");
          return;
        }
        await queue.add(decision.enqueue);
        context.log.info(
          { delivery: context.id, queue: decision.enqueue.queue, job: decision.enqueue.id },
          "queued",
        );
      },
    );
  };
}
