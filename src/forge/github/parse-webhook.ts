import { z } from "zod";
import type { ForgeEvent } from "../../pipeline/forge-events.js";

// Webhook payloads are checked at the boundary with zod, for the fields swarm reads only: GitHub adds fields
// often, and an unknown field must never stop a delivery.
const Sender = z.object({ login: z.string(), type: z.string() });
const Repo = z.object({ name: z.string(), owner: z.object({ login: z.string() }) });
const Base = z.object({ installation: z.object({ id: z.int() }), repository: Repo, sender: Sender });
// A check's PRs carry their head branch: a check whose suite names no branch (one an API created) still
// tells which PR it is on, with no request.
const PullRefs = z.array(z.object({ number: z.int(), head: z.object({ ref: z.string() }).optional() }));
/** The branch a check ran on: its suite's, else its first PR's. */
const branchOf = (headBranch: string | null | undefined, pulls: z.infer<typeof PullRefs>) =>
  headBranch ?? pulls[0]?.head?.ref ?? null;

const RepositoryInfo = z.object({
  repository: z.object({ default_branch: z.string(), clone_url: z.string() }),
});

/** What every delivery's payload tells of its repository besides its name (null if a field is missing). */
export function repositoryInfoOf(payload: unknown): { defaultBranch: string; cloneUrl: string } | null {
  const parsed = RepositoryInfo.safeParse(payload);
  if (!parsed.success) return null;
  return { defaultBranch: parsed.data.repository.default_branch, cloneUrl: parsed.data.repository.clone_url };
}

const SCHEMAS = {
  "issues.labeled": Base.extend({
    issue: z.object({ number: z.int(), title: z.string(), body: z.string().nullable() }),
    label: z.object({ name: z.string() }),
  }),
  "issue_comment.created": Base.extend({
    issue: z.object({ number: z.int(), pull_request: z.unknown().optional() }),
    comment: z.object({ id: z.int(), body: z.string() }),
  }),
  // An edit of an issue comment: swarm reads it only to see its dashboard's approval box ticked.
  "issue_comment.edited": Base.extend({
    issue: z.object({ number: z.int(), pull_request: z.unknown().optional() }),
    comment: z.object({ id: z.int(), body: z.string(), updated_at: z.string() }),
    changes: z.object({ body: z.object({ from: z.string() }).optional() }),
  }),
  "pull_request_review_comment.created": Base.extend({
    pull_request: z.object({ number: z.int() }),
    // Older deliveries (and GitHub's own examples) may lack `line` on outdated diffs.
    comment: z.object({
      id: z.int(),
      body: z.string(),
      path: z.string(),
      line: z.int().nullable().optional(),
    }),
  }),
  "pull_request_review.submitted": Base.extend({
    pull_request: z.object({ number: z.int() }),
    review: z.object({ id: z.int(), body: z.string().nullable(), state: z.string() }),
  }),
  pull_request: Base.extend({
    action: z.enum(["opened", "synchronize", "reopened", "closed", "ready_for_review"]),
    pull_request: z.object({
      number: z.int(),
      merged: z.boolean().nullable().optional(),
      head: z.object({ ref: z.string(), sha: z.string() }),
    }),
  }),
  // A push to a branch: swarm reads it only to see its run's branches moved by someone else.
  push: Base.extend({
    ref: z.string(),
    after: z.string(),
    deleted: z.boolean(),
  }),
  "check_run.completed": Base.extend({
    check_run: z.object({
      id: z.int(),
      head_sha: z.string(),
      conclusion: z.string().nullable(),
      check_suite: z.object({ head_branch: z.string().nullable() }).nullable().optional(),
      pull_requests: PullRefs,
    }),
  }),
  "check_suite.completed": Base.extend({
    check_suite: z.object({
      id: z.int(),
      head_sha: z.string(),
      head_branch: z.string().nullable(),
      conclusion: z.string().nullable(),
      pull_requests: PullRefs,
    }),
  }),
  "workflow_run.completed": Base.extend({
    workflow_run: z.object({
      id: z.int(),
      head_sha: z.string(),
      head_branch: z.string().nullable(),
      conclusion: z.string().nullable(),
      pull_requests: PullRefs,
    }),
  }),
} as const;

export const HANDLED_EVENTS = Object.keys(SCHEMAS);

/** A delivery of an event swarm handles whose payload lacks the fields swarm reads (the server answers 400). */
export class WebhookShapeError extends Error {
  override name = "WebhookShapeError";
}

/**
 * The event swarm acts on, or null for the many it ignores. A payload of a handled event that does not
 * match its schema throws, naming the event and the fields, because that is a change on GitHub's side.
 */
export function parseWebhook(name: string, payload: unknown): ForgeEvent | null {
  const action = (payload as { action?: unknown } | null)?.action;
  const key = (
    `${name}.${String(action)}` in SCHEMAS ? `${name}.${String(action)}` : name
  ) as keyof typeof SCHEMAS;
  if (!(key in SCHEMAS)) return null;
  if (key === "pull_request" && !SCHEMAS.pull_request.shape.action.safeParse(action).success) return null;
  const parsed = SCHEMAS[key].safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new WebhookShapeError(
      `webhook ${name}.${String(action)} does not have the fields swarm reads: ${fields}`,
    );
  }
  const p = parsed.data;
  const base = {
    installationId: p.installation.id,
    repo: { owner: p.repository.owner.login, name: p.repository.name },
    sender: p.sender,
  };
  switch (key) {
    case "issues.labeled": {
      const d = p as z.infer<(typeof SCHEMAS)["issues.labeled"]>;
      return { ...base, kind: "issue-labeled", issue: d.issue, label: d.label.name };
    }
    case "issue_comment.created": {
      const d = p as z.infer<(typeof SCHEMAS)["issue_comment.created"]>;
      return {
        ...base,
        kind: "comment-created",
        issue: { number: d.issue.number, isPullRequest: d.issue.pull_request != null },
        comment: d.comment,
      };
    }
    case "issue_comment.edited": {
      const d = p as z.infer<(typeof SCHEMAS)["issue_comment.edited"]>;
      return {
        ...base,
        kind: "comment-edited",
        issue: { number: d.issue.number, isPullRequest: d.issue.pull_request != null },
        comment: { id: d.comment.id, body: d.comment.body, updatedAt: d.comment.updated_at },
        // Absent when the edit left the body as it was (GitHub sends `changes` per field changed).
        before: d.changes.body?.from ?? null,
      };
    }
    case "pull_request_review_comment.created": {
      const d = p as z.infer<(typeof SCHEMAS)["pull_request_review_comment.created"]>;
      const { line, ...comment } = d.comment;
      return {
        ...base,
        kind: "review-comment-created",
        pullNumber: d.pull_request.number,
        comment: { ...comment, line: line ?? null },
      };
    }
    case "pull_request_review.submitted": {
      const d = p as z.infer<(typeof SCHEMAS)["pull_request_review.submitted"]>;
      // Webhooks send "commented", the REST API "COMMENTED": one spelling for the pipeline.
      return {
        ...base,
        kind: "review-submitted",
        pullNumber: d.pull_request.number,
        review: { ...d.review, state: d.review.state.toLowerCase() },
      };
    }
    case "pull_request": {
      const d = p as z.infer<(typeof SCHEMAS)["pull_request"]>;
      const pr = d.pull_request;
      return {
        ...base,
        kind: "pull-request",
        action: d.action,
        pull: { number: pr.number, headRef: pr.head.ref, headSha: pr.head.sha, merged: pr.merged ?? false },
      };
    }
    case "push": {
      const d = p as z.infer<(typeof SCHEMAS)["push"]>;
      return {
        ...base,
        kind: "branch-pushed",
        branch: d.ref.replace(/^refs\/heads\//, ""),
        headSha: d.after,
        deleted: d.deleted,
      };
    }
    case "check_run.completed": {
      const r = (p as z.infer<(typeof SCHEMAS)["check_run.completed"]>).check_run;
      return {
        ...base,
        kind: "checks-completed",
        source: "check_run",
        id: r.id,
        headSha: r.head_sha,
        headBranch: branchOf(r.check_suite?.head_branch, r.pull_requests),
        conclusion: r.conclusion,
        pullNumbers: r.pull_requests.map((x) => x.number),
      };
    }
    case "check_suite.completed": {
      const s = (p as z.infer<(typeof SCHEMAS)["check_suite.completed"]>).check_suite;
      return {
        ...base,
        kind: "checks-completed",
        source: "check_suite",
        id: s.id,
        headSha: s.head_sha,
        headBranch: branchOf(s.head_branch, s.pull_requests),
        conclusion: s.conclusion,
        pullNumbers: s.pull_requests.map((x) => x.number),
      };
    }
    case "workflow_run.completed": {
      const w = (p as z.infer<(typeof SCHEMAS)["workflow_run.completed"]>).workflow_run;
      return {
        ...base,
        kind: "checks-completed",
        source: "workflow_run",
        id: w.id,
        headSha: w.head_sha,
        headBranch: branchOf(w.head_branch, w.pull_requests),
        conclusion: w.conclusion,
        pullNumbers: w.pull_requests.map((x) => x.number),
      };
    }
  }
}
