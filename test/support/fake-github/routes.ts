// The REST routes swarm uses, keyed by "METHOD template" as GitHub's OpenAPI description names them.
import { git, listBranches, readBlob, resolveRef } from "./bare-repo.js";
import { requeueFailedJobs } from "./ci.js";
import {
  checkRunJson,
  checkSuiteJson,
  commentJson,
  issueJson,
  jobJson,
  labelJson,
  pullJson,
  reactionJson,
  repoJson,
  reviewCommentJson,
  reviewJson,
  userJson,
} from "./objects.js";
import { githubContract } from "./openapi-contract.js";
import type {
  Actor,
  Annotation,
  CheckRun,
  FakeState,
  Issue,
  Job,
  Pull,
  RepoState,
  Review,
  ReviewComment,
  WorkflowRun,
} from "./state.js";

export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
export type Ctx = {
  state: FakeState;
  base: string;
  repo: RepoState;
  params: Record<string, string>;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies were checked against the OpenAPI schema.
  body: any;
  actor: Actor;
  /** Called after a write so the fake can deliver webhooks and play CI. */
  emit: (event: FakeEvent) => void;
};
export type FakeEvent =
  | { kind: "issue-comment"; repo: RepoState; issue: Issue; commentId: number }
  | {
      kind: "issue-comment-edited";
      repo: RepoState;
      issue: Issue;
      commentId: number;
      /** The body before the edit (GitHub's `changes.body.from`). */
      from: string;
      by: Actor;
    }
  | {
      kind: "pull-request";
      repo: RepoState;
      pull: Pull;
      action: "opened" | "synchronize" | "ready_for_review" | "closed";
      /** Who did it (the PR's author when not said). */
      by?: Actor;
    }
  | { kind: "check-run"; repo: RepoState; run: CheckRun }
  | { kind: "workflow-rerun"; repo: RepoState; run: WorkflowRun; jobs: Job[] }
  | { kind: "review"; repo: RepoState; pull: Pull; reviewId: number }
  | { kind: "review-comment"; repo: RepoState; pull: Pull; review: Review; comment: ReviewComment };

type Handler = (ctx: Ctx) => Reply;

const notFound = (what: string): Reply => ({
  status: 404,
  body: { message: `Not Found: ${what}`, documentation_url: "https://docs.github.com/rest" },
});
const unprocessable = (message: string): Reply => ({
  status: 422,
  body: { message: `Validation Failed: ${message}`, errors: [] },
});
const page = <T>(items: T[], query: URLSearchParams): T[] => {
  const per = Math.min(100, Number(query.get("per_page") ?? 30));
  const at = Math.max(1, Number(query.get("page") ?? 1));
  return items.slice((at - 1) * per, at * per);
};
const linkHeader = (ctx: Ctx, total: number): Record<string, string> => {
  const per = Math.min(100, Number(ctx.query.get("per_page") ?? 30));
  const at = Math.max(1, Number(ctx.query.get("page") ?? 1));
  if (at * per >= total) return {};
  const next = new URLSearchParams(ctx.query);
  next.set("page", String(at + 1));
  return { link: `<${ctx.base}${ctx.params.__path}?${next}>; rel="next"` };
};

function issueOf(ctx: Ctx): Issue | undefined {
  return ctx.repo.issues.get(Number(ctx.params.issue_number));
}

function pullOf(ctx: Ctx): Pull | undefined {
  return ctx.repo.pulls.get(Number(ctx.params.pull_number));
}

function shasOf(repo: RepoState, pull: Pull) {
  return {
    head: resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "0".repeat(40),
    base: resolveRef(repo.bare, `refs/heads/${pull.base}`) ?? "0".repeat(40),
  };
}

export const ROUTES: Record<string, Handler> = {
  "get /repos/{owner}/{repo}": (ctx) => ({ status: 200, body: repoJson(ctx.base, ctx.repo) }),

  "post /repos/{owner}/{repo}/issues": (ctx) => {
    const body: string | null = ctx.body.body ?? null;
    if ((body ?? "").length > 65536) return unprocessable("body is too long (maximum is 65536 characters)");
    const labels: string[] = ctx.body.labels ?? [];
    // GitHub makes a label an issue is created with, if the repository lacks it.
    for (const name of labels) ctx.repo.labels.add(name);
    const issue = ctx.state.addIssue(ctx.repo, { title: ctx.body.title, body, labels, user: ctx.actor });
    return { status: 201, body: issueJson(ctx.base, ctx.repo, issue) };
  },
  "post /repos/{owner}/{repo}/labels": (ctx) => {
    const name = String(ctx.body.name ?? "");
    if ([...ctx.repo.labels].some((l) => l.toLowerCase() === name.toLowerCase()))
      return {
        status: 422,
        body: {
          message: "Validation Failed",
          errors: [{ resource: "Label", code: "already_exists", field: "name" }],
        },
      };
    ctx.repo.labels.add(name);
    return { status: 201, body: labelJson(name, ctx.repo.labels.size) };
  },
  "get /repos/{owner}/{repo}/issues": (ctx) => {
    const labels = ctx.query.get("labels")?.split(",").filter(Boolean) ?? [];
    const state = ctx.query.get("state") ?? "open";
    const all = [...ctx.repo.issues.values()].filter(
      (i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)),
    );
    // GitHub lists newest first (`sort=created`, `direction=desc` by default); numbers follow creation.
    all.sort((a, b) => (ctx.query.get("direction") === "asc" ? a.number - b.number : b.number - a.number));
    return {
      status: 200,
      body: page(all, ctx.query).map((i) => issueJson(ctx.base, ctx.repo, i)),
      headers: linkHeader(ctx, all.length),
    };
  },
  "get /repos/{owner}/{repo}/issues/{issue_number}": (ctx) => {
    const issue = issueOf(ctx);
    return issue ? { status: 200, body: issueJson(ctx.base, ctx.repo, issue) } : notFound("issue");
  },
  "patch /repos/{owner}/{repo}/issues/{issue_number}": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    if (typeof ctx.body.body === "string" && ctx.body.body.length > 65536)
      return unprocessable("body is too long (maximum is 65536 characters)");
    if (ctx.body.title !== undefined) issue.title = ctx.body.title;
    if (ctx.body.body !== undefined) issue.body = ctx.body.body;
    if (ctx.body.state !== undefined) {
      issue.state = ctx.body.state;
      issue.stateReason = ctx.body.state === "closed" ? (ctx.body.state_reason ?? "completed") : "reopened";
    }
    if (ctx.body.labels !== undefined)
      issue.labels = ctx.body.labels.map((l: string | { name: string }) =>
        typeof l === "string" ? l : l.name,
      );
    issue.updatedAt = ctx.state.now();
    return { status: 200, body: issueJson(ctx.base, ctx.repo, issue) };
  },
  "post /repos/{owner}/{repo}/issues/{issue_number}/labels": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    const names: string[] = Array.isArray(ctx.body)
      ? ctx.body
      : (ctx.body.labels ?? []).map((l: string | { name: string }) => (typeof l === "string" ? l : l.name));
    for (const name of names) if (!issue.labels.includes(name)) issue.labels.push(name);
    for (const name of names) ctx.repo.labels.add(name);
    return { status: 200, body: issue.labels.map((n, i) => labelJson(n, i + 1)) };
  },

  "get /repos/{owner}/{repo}/issues/{issue_number}/comments": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    const all = [...ctx.repo.comments.values()].filter((c) => c.issueNumber === issue.number);
    return {
      status: 200,
      body: page(all, ctx.query).map((c) => commentJson(ctx.base, ctx.repo, c)),
      headers: linkHeader(ctx, all.length),
    };
  },
  "post /repos/{owner}/{repo}/issues/{issue_number}/comments": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    if (ctx.body.body.length > 65536) return unprocessable("body is too long (maximum is 65536 characters)");
    const now = ctx.state.now();
    const comment = {
      id: ctx.state.id(),
      issueNumber: issue.number,
      body: ctx.body.body,
      user: ctx.actor,
      reactions: [],
      createdAt: now,
      updatedAt: now,
    };
    ctx.repo.comments.set(comment.id, comment);
    ctx.emit({ kind: "issue-comment", repo: ctx.repo, issue, commentId: comment.id });
    return { status: 201, body: commentJson(ctx.base, ctx.repo, comment) };
  },
  "patch /repos/{owner}/{repo}/issues/comments/{comment_id}": (ctx) => {
    const comment = ctx.repo.comments.get(Number(ctx.params.comment_id));
    if (!comment) return notFound("comment");
    if (ctx.body.body.length > 65536) return unprocessable("body is too long (maximum is 65536 characters)");
    const from = comment.body;
    comment.body = ctx.body.body;
    comment.updatedAt = ctx.state.now();
    const issue = ctx.repo.issues.get(comment.issueNumber);
    // As on GitHub, an edit through the API is an `issue_comment.edited` event too (its sender the app).
    if (issue)
      ctx.emit({
        kind: "issue-comment-edited",
        repo: ctx.repo,
        issue,
        commentId: comment.id,
        from,
        by: ctx.actor,
      });
    return { status: 200, body: commentJson(ctx.base, ctx.repo, comment) };
  },

  "post /repos/{owner}/{repo}/issues/{issue_number}/reactions": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    return react(ctx, issue.reactions);
  },
  "post /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": (ctx) => {
    const comment = ctx.repo.comments.get(Number(ctx.params.comment_id));
    if (!comment) return notFound("comment");
    return react(ctx, comment.reactions);
  },

  "get /repos/{owner}/{repo}/issues/{issue_number}/sub_issues": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    const subs = issue.subIssueIds.flatMap((id) => {
      const found = ctx.state.issueById(id);
      return found ? [issueJson(ctx.base, found.repo, found.issue)] : [];
    });
    return { status: 200, body: page(subs, ctx.query), headers: linkHeader(ctx, subs.length) };
  },
  "post /repos/{owner}/{repo}/issues/{issue_number}/sub_issues": (ctx) => {
    const parent = issueOf(ctx);
    if (!parent) return notFound("issue");
    const child = ctx.state.issueById(ctx.body.sub_issue_id);
    // GitHub takes the sub-issue's id here, not its number: a number is a 422 unless it happens to be an id.
    if (!child) return unprocessable(`sub_issue_id ${ctx.body.sub_issue_id} is not the id of an issue`);
    if (parent.subIssueIds.includes(child.issue.id))
      return unprocessable(
        "An error occurred while adding the sub-issue to the parent issue. Sub-issue already exists",
      );
    if (parent.subIssueIds.length >= 100) return unprocessable("Parent cannot have more than 100 sub-issues");
    if (child.issue.parentId !== null && !ctx.body.replace_parent)
      return unprocessable("Sub-issue may only have one parent");
    parent.subIssueIds.push(child.issue.id);
    child.issue.parentId = parent.id;
    return { status: 201, body: issueJson(ctx.base, ctx.repo, parent) };
  },
  "get /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    const blockers = issue.blockedByIds.flatMap((id) => {
      const found = ctx.state.issueById(id);
      return found ? [issueJson(ctx.base, found.repo, found.issue)] : [];
    });
    return { status: 200, body: page(blockers, ctx.query), headers: linkHeader(ctx, blockers.length) };
  },
  "post /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    const blocker = ctx.state.issueById(ctx.body.issue_id);
    if (!blocker) return unprocessable(`issue_id ${ctx.body.issue_id} is not the id of an issue`);
    if (blocker.issue.id === issue.id) return unprocessable("An issue cannot block itself");
    if (issue.blockedByIds.includes(blocker.issue.id)) return unprocessable("Dependency already exists");
    issue.blockedByIds.push(blocker.issue.id);
    return { status: 201, body: issueJson(ctx.base, blocker.repo, blocker.issue) };
  },
  "delete /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by/{issue_id}": (ctx) => {
    const issue = issueOf(ctx);
    if (!issue) return notFound("issue");
    const blocker = ctx.state.issueById(Number(ctx.params.issue_id));
    if (!blocker || !issue.blockedByIds.includes(blocker.issue.id)) return notFound("dependency");
    issue.blockedByIds = issue.blockedByIds.filter((id) => id !== blocker.issue.id);
    return { status: 200, body: issueJson(ctx.base, blocker.repo, blocker.issue) };
  },

  "get /repos/{owner}/{repo}/collaborators/{username}/permission": (ctx) => {
    const role = ctx.repo.permissions.get(ctx.params.username ?? "") ?? "none";
    // The legacy `permission` field folds maintain into write and triage into read; role_name keeps them.
    const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
    const user = {
      ...githubContract().skeleton("collaborator"),
      ...userJson({ login: ctx.params.username ?? "", id: 7000, type: "User" }),
      role_name: role,
    };
    return { status: 200, body: { permission, role_name: role, user } };
  },

  "get /repos/{owner}/{repo}/contents/{path}": (ctx) => {
    const ref = ctx.query.get("ref") ?? ctx.repo.defaultBranch;
    const blob = readBlob(ctx.repo.bare, ref, ctx.params.path ?? "");
    if (!blob) return notFound(`${ctx.params.path} at ${ref}`);
    const full = `${ctx.repo.owner.login}/${ctx.repo.name}`;
    return {
      status: 200,
      body: {
        type: "file",
        encoding: "base64",
        size: blob.length,
        name: (ctx.params.path ?? "").split("/").at(-1),
        path: ctx.params.path,
        content: blob.toString("base64"),
        sha: "0".repeat(40),
        url: `${ctx.base}/repos/${full}/contents/${ctx.params.path}`,
        git_url: null,
        html_url: null,
        download_url: null,
        _links: { git: null, html: null, self: `${ctx.base}/repos/${full}/contents/${ctx.params.path}` },
      },
    };
  },
  "get /repos/{owner}/{repo}/git/trees/{tree_sha}": (ctx) => {
    const sha = resolveRef(ctx.repo.bare, ctx.params.tree_sha ?? "");
    if (!sha) return notFound(`tree ${ctx.params.tree_sha}`);
    const recursive = ctx.query.get("recursive") !== null;
    const full = `${ctx.repo.owner.login}/${ctx.repo.name}`;
    const lines = git(ctx.repo.bare, "ls-tree", ...(recursive ? ["-r", "-t"] : []), "-l", sha)
      .split("\n")
      .filter(Boolean);
    const tree = lines.map((line) => {
      const [meta = "", path = ""] = line.split("\t");
      const [mode = "", type = "", objectSha = "", size = "-"] = meta.split(/\s+/);
      return {
        path,
        mode,
        type,
        sha: objectSha,
        ...(size === "-" ? {} : { size: Number(size) }),
        url: `${ctx.base}/repos/${full}/git/${type}s/${objectSha}`,
      };
    });
    return {
      status: 200,
      body: { sha, url: `${ctx.base}/repos/${full}/git/trees/${sha}`, tree, truncated: false },
    };
  },
  "get /repos/{owner}/{repo}/git/matching-refs/{ref}": (ctx) => {
    const prefix = `refs/${ctx.params.ref}`;
    const full = `${ctx.repo.owner.login}/${ctx.repo.name}`;
    const refs = [...listBranches(ctx.repo.bare)]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, sha]) => ({
        ref: name,
        node_id: "x",
        url: `${ctx.base}/repos/${full}/git/${name}`,
        object: { type: "commit", sha, url: `${ctx.base}/repos/${full}/git/commits/${sha}` },
      }));
    return { status: 200, body: refs };
  },

  "get /repos/{owner}/{repo}/pulls": (ctx) => {
    const head = ctx.query.get("head")?.split(":").at(-1);
    const state = ctx.query.get("state") ?? "open";
    const all = [...ctx.repo.pulls.values()].filter(
      (p) => (!head || p.head === head) && (state === "all" || p.state === state),
    );
    return {
      status: 200,
      body: page(all, ctx.query).map((p) => pullJson(ctx.base, ctx.repo, p, shasOf(ctx.repo, p))),
    };
  },
  "post /repos/{owner}/{repo}/pulls": (ctx) => {
    const head = String(ctx.body.head).split(":").at(-1) ?? "";
    if (!resolveRef(ctx.repo.bare, `refs/heads/${head}`)) return unprocessable(`head: no branch ${head}`);
    if (!resolveRef(ctx.repo.bare, `refs/heads/${ctx.body.base}`))
      return unprocessable(`base: no branch ${ctx.body.base}`);
    if ([...ctx.repo.pulls.values()].some((p) => p.head === head && p.state === "open")) {
      return unprocessable(`A pull request already exists for ${ctx.repo.owner.login}:${head}.`);
    }
    if ((ctx.body.body ?? "").length > 65536)
      return unprocessable("body is too long (maximum is 65536 characters)");
    const now = ctx.state.now();
    const asIssue = ctx.state.addIssue(ctx.repo, {
      title: ctx.body.title,
      body: ctx.body.body ?? null,
      labels: [],
      user: ctx.actor,
    });
    asIssue.pullRequest = true;
    const pull: Pull = {
      id: ctx.state.id(),
      number: asIssue.number,
      title: ctx.body.title,
      body: ctx.body.body ?? null,
      head,
      base: ctx.body.base,
      draft: ctx.body.draft ?? false,
      state: "open",
      user: ctx.actor,
      reviews: [],
      requestedReviewers: [],
      createdAt: now,
      updatedAt: now,
    };
    ctx.repo.pulls.set(pull.number, pull);
    ctx.emit({ kind: "pull-request", repo: ctx.repo, pull, action: "opened" });
    return { status: 201, body: pullJson(ctx.base, ctx.repo, pull, shasOf(ctx.repo, pull)) };
  },
  "get /repos/{owner}/{repo}/pulls/{pull_number}": (ctx) => {
    const pull = pullOf(ctx);
    return pull
      ? { status: 200, body: pullJson(ctx.base, ctx.repo, pull, shasOf(ctx.repo, pull)) }
      : notFound("pull request");
  },
  "patch /repos/{owner}/{repo}/pulls/{pull_number}": (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound("pull request");
    if ((ctx.body.body ?? "").length > 65536)
      return unprocessable("body is too long (maximum is 65536 characters)");
    if (ctx.body.title !== undefined) pull.title = ctx.body.title;
    if (ctx.body.body !== undefined) pull.body = ctx.body.body;
    if (ctx.body.state !== undefined) pull.state = ctx.body.state;
    pull.updatedAt = ctx.state.now();
    return { status: 200, body: pullJson(ctx.base, ctx.repo, pull, shasOf(ctx.repo, pull)) };
  },
  "post /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers": (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound("pull request");
    const asked = [...(ctx.body.reviewers ?? []), ...(ctx.body.team_reviewers ?? [])] as string[];
    for (const login of asked)
      if (!pull.requestedReviewers.includes(login)) pull.requestedReviewers.push(login);
    return { status: 201, body: pullJson(ctx.base, ctx.repo, pull, shasOf(ctx.repo, pull)) };
  },
  "get /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/comments": (ctx) => {
    const pull = pullOf(ctx);
    const review = pull?.reviews.find((r) => r.id === Number(ctx.params.review_id));
    if (!pull || !review) return notFound("review");
    return {
      status: 200,
      body: page(review.comments, ctx.query).map((c) =>
        reviewCommentJson(ctx.base, ctx.repo, pull, review, c),
      ),
    };
  },
  // Every line comment of the PR, replies included, oldest first (GitHub's default sort).
  "get /repos/{owner}/{repo}/pulls/{pull_number}/comments": (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound("pull request");
    const all = pull.reviews
      .flatMap((review) => review.comments.map((comment) => ({ review, comment })))
      .sort((a, b) => a.comment.id - b.comment.id);
    return {
      status: 200,
      body: page(all, ctx.query).map(({ review, comment }) =>
        reviewCommentJson(ctx.base, ctx.repo, pull, review, comment),
      ),
      headers: linkHeader(ctx, all.length),
    };
  },
  // A reply joins the thread of a top-level comment; GitHub files it in a review of its own.
  "post /repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies": (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound("pull request");
    const top = pull.reviews.flatMap((r) => r.comments).find((c) => c.id === Number(ctx.params.comment_id));
    if (!top) return notFound("comment");
    if (top.inReplyTo !== undefined) return unprocessable("replies to replies are not supported");
    const comment: ReviewComment = {
      id: ctx.state.id(),
      path: top.path,
      line: top.line,
      side: top.side,
      body: ctx.body.body,
      inReplyTo: top.id,
      reactions: [],
    };
    const review: Review = {
      id: ctx.state.id(),
      body: "",
      event: "COMMENT",
      commitId: shasOf(ctx.repo, pull).head,
      user: ctx.actor,
      comments: [comment],
      submittedAt: ctx.state.now(),
    };
    pull.reviews.push(review);
    ctx.emit({ kind: "review-comment", repo: ctx.repo, pull, review, comment });
    return { status: 201, body: reviewCommentJson(ctx.base, ctx.repo, pull, review, comment) };
  },
  "post /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions": (ctx) => {
    const comment = [...ctx.repo.pulls.values()]
      .flatMap((p) => p.reviews.flatMap((r) => r.comments))
      .find((c) => c.id === Number(ctx.params.comment_id));
    if (!comment) return notFound("comment");
    comment.reactions ??= [];
    return react(ctx, comment.reactions);
  },
  "get /repos/{owner}/{repo}/pulls/{pull_number}/reviews": (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound("pull request");
    return {
      status: 200,
      body: page(pull.reviews, ctx.query).map((r) => reviewJson(ctx.base, ctx.repo, pull, r)),
    };
  },
  "post /repos/{owner}/{repo}/pulls/{pull_number}/reviews": (ctx) => {
    const pull = pullOf(ctx);
    if (!pull) return notFound("pull request");
    const commitId = ctx.body.commit_id ?? shasOf(ctx.repo, pull).head;
    const review = {
      id: ctx.state.id(),
      body: ctx.body.body ?? "",
      event: ctx.body.event ?? "PENDING",
      commitId,
      user: ctx.actor,
      comments: (ctx.body.comments ?? []).map(
        (c: { path: string; line?: number; side?: "RIGHT" | "LEFT"; body: string }) => ({
          id: ctx.state.id(),
          path: c.path,
          line: c.line ?? 1,
          side: c.side ?? "RIGHT",
          body: c.body,
        }),
      ),
      submittedAt: ctx.state.now(),
    };
    pull.reviews.push(review);
    ctx.emit({ kind: "review", repo: ctx.repo, pull, reviewId: review.id });
    return { status: 200, body: reviewJson(ctx.base, ctx.repo, pull, review) };
  },

  "post /repos/{owner}/{repo}/check-runs": (ctx) => {
    const suite = suiteFor(ctx, ctx.body.head_sha);
    const run: CheckRun = {
      id: ctx.state.id(),
      name: ctx.body.name,
      headSha: ctx.body.head_sha,
      status: ctx.body.conclusion ? "completed" : (ctx.body.status ?? "queued"),
      conclusion: ctx.body.conclusion ?? null,
      title: null,
      summary: null,
      text: null,
      annotations: [],
      suiteId: suite.id,
      externalId: ctx.body.external_id ?? null,
      detailsUrl: ctx.body.details_url ?? null,
      app: ctx.actor,
      jobId: null,
      startedAt: ctx.state.now(),
      completedAt: ctx.body.conclusion ? ctx.state.now() : null,
    };
    const problem = applyOutput(run, ctx.body.output);
    if (problem) return problem;
    ctx.repo.checkRuns.set(run.id, run);
    if (run.status === "completed") ctx.emit({ kind: "check-run", repo: ctx.repo, run });
    return { status: 201, body: checkRunJson(ctx.base, ctx.repo, run) };
  },
  "get /repos/{owner}/{repo}/check-runs/{check_run_id}": (ctx) => {
    const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
    if (!run) return notFound("check run");
    return { status: 200, body: checkRunJson(ctx.base, ctx.repo, run) };
  },
  "patch /repos/{owner}/{repo}/check-runs/{check_run_id}": (ctx) => {
    const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
    if (!run) return notFound("check run");
    const wasCompleted = run.status === "completed";
    if (ctx.body.status) run.status = ctx.body.status;
    if (ctx.body.conclusion) {
      run.conclusion = ctx.body.conclusion;
      run.status = "completed";
      run.completedAt = ctx.state.now();
    }
    if (ctx.body.name) run.name = ctx.body.name;
    if (ctx.body.details_url) run.detailsUrl = ctx.body.details_url;
    const problem = applyOutput(run, ctx.body.output);
    if (problem) return problem;
    if (!wasCompleted && run.status === "completed") ctx.emit({ kind: "check-run", repo: ctx.repo, run });
    return { status: 200, body: checkRunJson(ctx.base, ctx.repo, run) };
  },
  "get /repos/{owner}/{repo}/commits/{ref}/check-runs": (ctx) => {
    const sha = resolveRef(ctx.repo.bare, ctx.params.ref ?? "") ?? ctx.params.ref;
    const all = [...ctx.repo.checkRuns.values()].filter(
      (r) => r.headSha === sha && (!ctx.query.get("check_name") || r.name === ctx.query.get("check_name")),
    );
    // `filter=latest` (the default) keeps the most recent run of each name: a re-run's, once there is one.
    const latest = new Map<string, CheckRun>();
    for (const r of all) {
      const key = `${r.app.login}\n${r.name}`;
      if ((latest.get(key)?.id ?? -1) < r.id) latest.set(key, r);
    }
    const runs =
      ctx.query.get("filter") === "all"
        ? all
        : all.filter((r) => latest.get(`${r.app.login}\n${r.name}`) === r);
    return {
      status: 200,
      body: {
        total_count: runs.length,
        check_runs: page(runs, ctx.query).map((r) => checkRunJson(ctx.base, ctx.repo, r)),
      },
      headers: linkHeader(ctx, runs.length),
    };
  },
  "get /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations": (ctx) => {
    const run = ctx.repo.checkRuns.get(Number(ctx.params.check_run_id));
    if (!run) return notFound("check run");
    const full = `${ctx.repo.owner.login}/${ctx.repo.name}`;
    const annotations = run.annotations.map((a) => ({
      path: a.path,
      start_line: a.start_line,
      end_line: a.end_line,
      start_column: null,
      end_column: null,
      annotation_level: a.annotation_level,
      title: a.title ?? null,
      message: a.message,
      raw_details: null,
      blob_href: `https://github.invalid/${full}/blob/${run.headSha}/${a.path}`,
    }));
    return { status: 200, body: page(annotations, ctx.query), headers: linkHeader(ctx, annotations.length) };
  },
  "get /repos/{owner}/{repo}/actions/jobs/{job_id}": (ctx) => {
    const job = ctx.repo.jobs.get(Number(ctx.params.job_id));
    const run = job?.runId ? ctx.repo.workflowRuns.get(job.runId) : undefined;
    if (!job || !run) return notFound("job");
    return { status: 200, body: jobJson(ctx.base, ctx.repo, run, job) };
  },
  "post /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs": (ctx) => {
    const run = ctx.repo.workflowRuns.get(Number(ctx.params.run_id));
    if (!run) return notFound("workflow run");
    const jobs = requeueFailedJobs(ctx.state, ctx.repo, run);
    if (!jobs)
      return {
        status: 403,
        body: {
          message: "This workflow run is not complete",
          documentation_url: "https://docs.github.com/rest",
        },
      };
    ctx.emit({ kind: "workflow-rerun", repo: ctx.repo, run, jobs });
    return { status: 201, body: {} };
  },
  "get /repos/{owner}/{repo}/actions/jobs/{job_id}/logs": (ctx) => {
    const job = ctx.repo.jobs.get(Number(ctx.params.job_id));
    if (!job) return notFound("job");
    // Like GitHub: a redirect to a short-lived URL that serves the plain-text log.
    return {
      status: 302,
      headers: { location: `${ctx.base}/_logs/${ctx.repo.owner.login}/${ctx.repo.name}/${job.id}` },
    };
  },
};

function react(ctx: Ctx, reactions: { id: number; content: string; user: Actor }[]): Reply {
  const existing = reactions.find((r) => r.content === ctx.body.content && r.user.login === ctx.actor.login);
  if (existing) return { status: 200, body: reactionJson(existing) };
  const reaction = { id: ctx.state.id(), content: ctx.body.content, user: ctx.actor };
  reactions.push(reaction);
  return { status: 201, body: reactionJson(reaction) };
}

function suiteFor(ctx: Ctx, headSha: string) {
  const existing = [...ctx.repo.checkSuites.values()].find(
    (s) => s.headSha === headSha && s.app.login === ctx.actor.login,
  );
  if (existing) return existing;
  const branch =
    [...listBranches(ctx.repo.bare)].find(([, sha]) => sha === headSha)?.[0].replace("refs/heads/", "") ??
    null;
  const suite = {
    id: ctx.state.id(),
    headSha,
    headBranch: branch,
    status: "queued",
    conclusion: null,
    app: ctx.actor,
  };
  ctx.repo.checkSuites.set(suite.id, suite);
  return suite;
}

/** GitHub's limits on check run output: 65,535-character summary and text, 50 annotations a request (appended). */
function applyOutput(
  run: CheckRun,
  output: { title?: string; summary?: string; text?: string; annotations?: Annotation[] } | undefined,
): Reply | null {
  if (!output) return null;
  if ((output.summary ?? "").length > 65535)
    return unprocessable("output.summary is too long (maximum is 65535 characters)");
  if ((output.text ?? "").length > 65535)
    return unprocessable("output.text is too long (maximum is 65535 characters)");
  if ((output.annotations ?? []).length > 50)
    return unprocessable("output.annotations: only 50 annotations may be sent per request");
  if (output.title !== undefined) run.title = output.title;
  if (output.summary !== undefined) run.summary = output.summary;
  if (output.text !== undefined) run.text = output.text;
  run.annotations.push(...(output.annotations ?? []));
  return null;
}

export { checkSuiteJson, userJson };
