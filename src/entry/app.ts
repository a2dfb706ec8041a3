import type { ApplicationFunction } from "probot";
import { parseWebhook, repositoryInfoOf } from "../forge/github/parse-webhook.js";
import { decideIntake } from "../pipeline/intake.js";
import type { JobQueue } from "../pipeline/jobs.js";
import type { DeliveryNotes } from "./delivery-notes.js";

/**
 * The Probot app: each delivery is verified (by Probot), parsed, decided from its payload, and queued.
 * Nothing slow or fallible runs before the job is in the queue, so GitHub gets its answer in milliseconds.
 * A run's branch or PR that moved, and the repository a queued job works on, are noted in the run memo
 * (one Redis write each) by `notes`.
 */
export function swarmApp(queue: JobQueue, notes?: DeliveryNotes): ApplicationFunction {
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
          await notes?.moved(decision.moved);
          context.log.debug({ delivery: context.id, spec: decision.moved.spec }, "run moved");
          return;
        }
        const repository = repositoryInfoOf(context.payload);
        if (notes && repository) await notes.repository(event, repository);
        await queue.add(decision.enqueue);
        context.log.info(
          { delivery: context.id, queue: decision.enqueue.queue, job: decision.enqueue.id },
          "queued",
        );
      },
    );
  };
}
