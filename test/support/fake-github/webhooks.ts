// Signed webhook deliveries, shaped from GitHub's webhook schemas and checked against them.
import { createHmac, randomUUID } from "node:crypto";
import { resolveRef } from "./bare-repo.js";
import {
  commentJson,
  issueJson,
  pullJson,
  repoJson,
  reviewCommentJson,
  reviewJson,
  userJson,
} from "./objects.js";
import { githubContract } from "./openapi-contract.js";
import type {
  Actor,
  CheckRun,
  CheckSuite,
  Comment,
  Issue,
  Pull,
  RepoState,
  Review,
  ReviewComment,
} from "./state.js";

export type Delivery = { id: string; event: string; action: string; status: number; body: string };

export function createWebhooks(base: () => string, installationId: number, violations: string[]) {
  const targets: { url: string; secret: string; times: number }[] = [];
  const deliveries: Delivery[] = [];
  let queue: Promise<void> = Promise.resolve();

  const post = (
    target: { url: string; secret: string; times?: number },
    id: string,
    event: string,
    action: string,
    text: string,
  ) => {
    // In order, one at a time, after the request that caused them has been answered.
    queue = queue.then(async () => {
      const signature = `sha256=${createHmac("sha256", target.secret).update(text).digest("hex")}`;
      const res = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": id,
          "x-hub-signature-256": signature,
          "user-agent": "GitHub-Hookshot/fake",
        },
        body: text,
      }).catch(() => ({ status: 0 }));
      deliveries.push({ id, event, action, status: res.status, body: text });
    });
  };

  const send = (event: string, component: string, payload: Record<string, unknown>) => {
    const body = {
      ...githubContract().skeleton(component),
      ...payload,
      installation: { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u" },
    };
    const problems = githubContract().checkComponent(component, body);
    if (problems.length > 0) violations.push(`webhook ${component}: ${problems.join("; ")}`);
    const text = JSON.stringify(body);
    for (const target of targets) {
      const id = randomUUID();
      // GitHub may deliver an event more than once (a redelivery keeps its X-GitHub-Delivery id).
      for (let i = 0; i < target.times; i++) post(target, id, event, String(payload.action), text);
    }
  };

  const common = (repo: RepoState, sender: Actor) => ({
    repository: repoJson(base(), repo),
    sender: userJson(sender),
  });
  // Webhook payloads embed richer objects than the REST answers: start from the webhook schema's own part.
  const part = (component: string, key: string, value: object) =>
    overlay(githubContract().skeleton(component, { objects: true })[key], value) as object;

  return {
    deliveries,
    /** Every event goes to `url`, signed with `secret`, `times` times over (as redeliveries would). */
    deliverTo(url: string, secret: string, options: { times?: number } = {}) {
      targets.push({ url, secret, times: options.times ?? 1 });
    },
    /** GitHub's "Redeliver": the same body and the same X-GitHub-Delivery id, sent again. */
    redeliver(id: string) {
      const first = deliveries.find((d) => d.id === id);
      if (!first) throw new Error(`no delivery ${id}`);
      for (const target of targets) post(target, id, first.event, first.action, first.body);
    },
    /** Resolves when every delivery queued so far has been answered. */
    settled: () => queue,
    issueLabeled(repo: RepoState, issue: Issue, label: string, sender: Actor) {
      send("issues", "webhook-issues-labeled", {
        action: "labeled",
        issue: part("webhook-issues-labeled", "issue", issueJson(base(), repo, issue)),
        label: {
          id: 1,
          node_id: "x",
          url: `${base()}/labels/${label}`,
          name: label,
          color: "ededed",
          default: false,
          description: null,
        },
        ...common(repo, sender),
      });
    },
    commentCreated(repo: RepoState, issue: Issue, comment: Comment) {
      send("issue_comment", "webhook-issue-comment-created", {
        action: "created",
        issue: part("webhook-issue-comment-created", "issue", issueJson(base(), repo, issue)),
        comment: part("webhook-issue-comment-created", "comment", commentJson(base(), repo, comment)),
        ...common(repo, comment.user),
      });
    },
    /** An edit of an issue comment, by a person or the app: `changes.body.from` holds the body before. */
    commentEdited(repo: RepoState, issue: Issue, comment: Comment, from: string, sender: Actor) {
      send("issue_comment", "webhook-issue-comment-edited", {
        action: "edited",
        changes: from === comment.body ? {} : { body: { from } },
        issue: part("webhook-issue-comment-edited", "issue", issueJson(base(), repo, issue)),
        comment: part("webhook-issue-comment-edited", "comment", commentJson(base(), repo, comment)),
        ...common(repo, sender),
      });
    },
    pullRequest(
      repo: RepoState,
      pull: Pull,
      action: "opened" | "synchronize" | "ready_for_review" | "closed",
      sender: Actor,
    ) {
      const shas = {
        head: resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "0".repeat(40),
        base: resolveRef(repo.bare, `refs/heads/${pull.base}`) ?? "0".repeat(40),
      };
      const component = `webhook-pull-request-${action.replaceAll("_", "-")}`;
      send("pull_request", component, {
        action,
        number: pull.number,
        pull_request: part(component, "pull_request", pullJson(base(), repo, pull, shas)),
        ...common(repo, sender),
        ...(action === "synchronize" ? { before: "0".repeat(40), after: shas.head } : {}),
      });
    },
    /** A push to a branch, a new one or its deletion included (`before`/`after` undefined). */
    pushed(
      repo: RepoState,
      ref: string,
      before: string | undefined,
      after: string | undefined,
      sender: Actor,
    ) {
      const zero = "0".repeat(40);
      const full = `${base()}/repos/${repo.owner.login}/${repo.name}`;
      send("push", "webhook-push", {
        ref,
        before: before ?? zero,
        after: after ?? zero,
        created: before === undefined,
        deleted: after === undefined,
        forced: false,
        base_ref: null,
        compare: `${full}/compare/${(before ?? zero).slice(0, 12)}...${(after ?? zero).slice(0, 12)}`,
        commits: [],
        head_commit: null,
        pusher: { name: sender.login },
        ...common(repo, sender),
        // A push's repository is the older shape, with a few more required fields.
        repository: part("webhook-push", "repository", repoJson(base(), repo)),
      });
    },
    /** A line comment on a PR's diff, written by a person. */
    reviewCommentCreated(repo: RepoState, pull: Pull, review: Review, comment: ReviewComment) {
      const shas = {
        head: resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "0".repeat(40),
        base: resolveRef(repo.bare, `refs/heads/${pull.base}`) ?? "0".repeat(40),
      };
      send("pull_request_review_comment", "webhook-pull-request-review-comment-created", {
        action: "created",
        comment: part("webhook-pull-request-review-comment-created", "comment", {
          ...reviewCommentJson(base(), repo, pull, review, comment),
          node_id: "x",
          original_line: comment.line,
        }),
        pull_request: part(
          "webhook-pull-request-review-comment-created",
          "pull_request",
          pullJson(base(), repo, pull, shas),
        ),
        ...common(repo, review.user),
      });
    },
    reviewSubmitted(repo: RepoState, pull: Pull, reviewId: number) {
      const review = pull.reviews.find((r) => r.id === reviewId);
      if (!review) return;
      const shas = {
        head: resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "0".repeat(40),
        base: resolveRef(repo.bare, `refs/heads/${pull.base}`) ?? "0".repeat(40),
      };
      send("pull_request_review", "webhook-pull-request-review-submitted", {
        action: "submitted",
        // Webhooks spell the state in lowercase ("commented"), unlike the REST API ("COMMENTED").
        review: part("webhook-pull-request-review-submitted", "review", {
          ...reviewJson(base(), repo, pull, review),
          state: String(reviewJson(base(), repo, pull, review).state).toLowerCase(),
        }),

        pull_request: part(
          "webhook-pull-request-review-submitted",
          "pull_request",
          pullJson(base(), repo, pull, shas),
        ),
        ...common(repo, review.user),
      });
    },
    checkRunCompleted(repo: RepoState, run: CheckRun, suite: CheckSuite | undefined, pulls: Pull[]) {
      const prs = pulls.map((p) => ({
        id: p.id,
        number: p.number,
        url: `${base()}/repos/${repo.owner.login}/${repo.name}/pulls/${p.number}`,
        head: {
          ref: p.head,
          sha: run.headSha,
          repo: { id: repo.id, name: repo.name, url: `${base()}/repos/${repo.owner.login}/${repo.name}` },
        },
        base: {
          ref: p.base,
          sha: "0".repeat(40),
          repo: { id: repo.id, name: repo.name, url: `${base()}/repos/${repo.owner.login}/${repo.name}` },
        },
      }));
      const checkRun = {
        ...(githubContract().skeleton("webhook-check-run-completed").check_run as object),
        id: run.id,
        name: run.name,
        head_sha: run.headSha,
        status: "completed",
        conclusion: run.conclusion,
        pull_requests: prs,
        check_suite: {
          ...((githubContract().skeleton("webhook-check-run-completed").check_run as { check_suite?: object })
            .check_suite ?? {}),
          id: run.suiteId,
          head_branch: suite?.headBranch ?? null,
          head_sha: run.headSha,
          pull_requests: prs,
        },
      };
      send("check_run", "webhook-check-run-completed", {
        action: "completed",
        check_run: checkRun,
        ...common(repo, run.app),
      });
      if (suite?.status !== "completed") return;
      const checkSuite = {
        ...(githubContract().skeleton("webhook-check-suite-completed").check_suite as object),
        id: suite.id,
        head_sha: suite.headSha,
        head_branch: suite.headBranch,
        status: "completed",
        conclusion: suite.conclusion,
        pull_requests: prs,
      };
      send("check_suite", "webhook-check-suite-completed", {
        action: "completed",
        check_suite: checkSuite,
        ...common(repo, suite.app),
      });
    },
  };
}

export type FakeWebhooks = ReturnType<typeof createWebhooks>;

/**
 * `value` laid over `skeleton`, all the way down: the skeleton supplies fields the value lacks, and a null in
 * the value never replaces a field the schema does not let be null (the skeleton holds null where it may).
 */
function overlay(skeleton: unknown, value: unknown): unknown {
  if (value === null || value === undefined) return skeleton ?? value;
  if (!isPlainObject(skeleton) || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...skeleton };
  for (const [k, v] of Object.entries(value)) out[k] = overlay(skeleton[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
