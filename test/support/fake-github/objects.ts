// GitHub-shaped JSON for the fake's state: each object starts from a minimal valid skeleton of its schema in
// GitHub's OpenAPI description, and the fields swarm reads are filled from the state.
import { githubContract } from "./openapi-contract.js";
import type {
  Actor,
  CheckRun,
  CheckSuite,
  Comment,
  Issue,
  Job,
  Pull,
  Reaction,
  RepoState,
  Review,
  ReviewComment,
  WorkflowRun,
} from "./state.js";

const shape = (component: string, fields: Record<string, unknown>) => ({
  ...githubContract().skeleton(component),
  ...fields,
});

/** The web addresses REST gives as `html_url` and GraphQL as `url`: one place, so both answer the same. */
export const htmlUrl = {
  issue: (repo: RepoState, number: number) =>
    `https://github.invalid/${repo.owner.login}/${repo.name}/issues/${number}`,
  comment: (repo: RepoState, c: Comment) => `${htmlUrl.issue(repo, c.issueNumber)}#issuecomment-${c.id}`,
  pull: (repo: RepoState, number: number) =>
    `https://github.invalid/${repo.owner.login}/${repo.name}/pull/${number}`,
};

export function userJson(actor: Actor) {
  return shape("simple-user", {
    login: actor.login,
    id: actor.id,
    type: actor.type,
    html_url: `https://github.invalid/${encodeURIComponent(actor.login)}`,
    gravatar_id: "",
  });
}

export function repoJson(base: string, repo: RepoState) {
  const full = `${repo.owner.login}/${repo.name}`;
  // Pull requests embed the shorter `repository` shape, whose required fields differ: satisfy both.
  return shape("full-repository", {
    ...githubContract().skeleton("repository"),

    id: repo.id,
    name: repo.name,
    full_name: full,
    owner: userJson(repo.owner),
    private: false,
    default_branch: repo.defaultBranch,
    html_url: `https://github.invalid/${full}`,
    url: `${base}/repos/${full}`,
    // Workers clone and push here: git over HTTP with a token, as on GitHub (so a push to a PR's head
    // starts its checks), or the bare repository itself, which is faster where no test needs that.
    clone_url: repo.gitOverHttp ? `${base}/git/${full}.git` : `file://${repo.bare}`,
    git_url: `git://github.invalid/${full}.git`,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    pushed_at: "2026-01-01T00:00:00Z",
  });
}

/** A label's node id: REST's `node_id` and GraphQL's `id` are the same, as on GitHub. */
export const labelId = (name: string) => `LA_${Buffer.from(`label:${name}`).toString("base64url")}`;

export function labelJson(name: string, id: number) {
  return shape("label", {
    id,
    node_id: labelId(name),
    name,
    color: "ededed",
    default: false,
    description: null,
  });
}

export function reactionJson(r: Reaction) {
  return shape("reaction", { id: r.id, content: r.content, user: userJson(r.user) });
}

export function issueJson(base: string, repo: RepoState, issue: Issue) {
  const full = `${repo.owner.login}/${repo.name}`;
  return shape("issue", {
    id: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    labels: issue.labels.map((name, i) => labelJson(name, i + 1)),
    user: userJson(issue.user),
    url: `${base}/repos/${full}/issues/${issue.number}`,
    html_url: htmlUrl.issue(repo, issue.number),
    repository_url: `${base}/repos/${full}`,
    comments: [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.state === "closed" ? issue.updatedAt : null,
    author_association: "OWNER",
    ...(issue.pullRequest
      ? {
          pull_request: {
            url: `${base}/repos/${full}/pulls/${issue.number}`,
            html_url: `https://github.invalid/${full}/pull/${issue.number}`,
            diff_url: `https://github.invalid/${full}/pull/${issue.number}.diff`,
            patch_url: `https://github.invalid/${full}/pull/${issue.number}.patch`,
          },
        }
      : {}),
    sub_issues_summary: {
      total: issue.subIssueIds.length,
      completed: 0,
      percent_completed: 0,
    },
  });
}

export function commentJson(base: string, repo: RepoState, c: Comment) {
  const full = `${repo.owner.login}/${repo.name}`;
  return shape("issue-comment", {
    id: c.id,
    body: c.body,
    user: userJson(c.user),
    url: `${base}/repos/${full}/issues/comments/${c.id}`,
    html_url: htmlUrl.comment(repo, c),
    issue_url: `${base}/repos/${full}/issues/${c.issueNumber}`,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    author_association: "OWNER",
  });
}

export function pullJson(base: string, repo: RepoState, pull: Pull, shas: { head: string; base: string }) {
  const full = `${repo.owner.login}/${repo.name}`;
  const ref = (name: string, sha: string) => ({
    label: `${repo.owner.login}:${name}`,
    ref: name,
    sha,
    user: userJson(repo.owner),
    repo: repoJson(base, repo),
  });

  return shape("pull-request", {
    id: pull.id,
    node_id: `PR_${pull.id}`,

    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    draft: pull.draft,
    user: userJson(pull.user),
    head: ref(pull.head, shas.head),
    base: ref(pull.base, shas.base),
    url: `${base}/repos/${full}/pulls/${pull.number}`,
    html_url: htmlUrl.pull(repo, pull.number),
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    merged: false,
    mergeable: true,
    requested_reviewers: pull.requestedReviewers.map((login, i) =>
      userJson({ login, id: 9000 + i, type: "User" }),
    ),
    labels: [],
    author_association: "OWNER",
  });
}

export function reviewJson(base: string, repo: RepoState, pull: Pull, review: Review) {
  const full = `${repo.owner.login}/${repo.name}`;
  return shape("pull-request-review", {
    id: review.id,
    body: review.body,
    state:
      review.event === "REQUEST_CHANGES"
        ? "CHANGES_REQUESTED"
        : review.event === "APPROVE"
          ? "APPROVED"
          : "COMMENTED",
    commit_id: review.commitId,
    user: userJson(review.user),
    html_url: `https://github.invalid/${full}/pull/${pull.number}#pullrequestreview-${review.id}`,
    pull_request_url: `${base}/repos/${full}/pulls/${pull.number}`,
    submitted_at: review.submittedAt,
    author_association: "OWNER",
  });
}

export function reviewCommentJson(
  base: string,
  repo: RepoState,
  pull: Pull,
  review: Review,
  comment: ReviewComment,
) {
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${base}/repos/${full}/pulls/comments/${comment.id}`;
  return shape("review-comment", {
    id: comment.id,
    pull_request_review_id: review.id,
    url,
    path: comment.path,
    line: comment.line,
    side: comment.side,
    body: comment.body,
    ...(comment.inReplyTo !== undefined ? { in_reply_to_id: comment.inReplyTo } : {}),
    // The diff index, which GitHub still sends; the fake's diffs are short, so the line stands in for it.
    position: comment.line,
    original_position: comment.line,
    commit_id: review.commitId,
    original_commit_id: review.commitId,
    diff_hunk: "@@",
    user: userJson(review.user),
    created_at: review.submittedAt,
    updated_at: review.submittedAt,
    html_url: `https://github.invalid/${full}/pull/${pull.number}#discussion_r${comment.id}`,
    pull_request_url: `${base}/repos/${full}/pulls/${pull.number}`,
    author_association: "OWNER",
    _links: { self: { href: url }, html: { href: url }, pull_request: { href: url } },
  });
}

export function checkRunJson(base: string, repo: RepoState, run: CheckRun) {
  const full = `${repo.owner.login}/${repo.name}`;
  return shape("check-run", {
    id: run.id,
    name: run.name,
    head_sha: run.headSha,
    status: run.status,
    conclusion: run.conclusion,
    external_id: run.externalId,
    // An Actions job's check run links to the job's page, which names its workflow run and job.
    details_url:
      run.detailsUrl ??
      (run.jobId
        ? `https://github.invalid/${full}/actions/runs/${repo.jobs.get(run.jobId)?.runId ?? 1}/job/${run.jobId}`
        : null),
    url: `${base}/repos/${full}/check-runs/${run.id}`,
    html_url: `https://github.invalid/${full}/runs/${run.id}`,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.title,
      summary: run.summary,
      text: run.text,
      annotations_count: run.annotations.length,
      annotations_url: `${base}/repos/${full}/check-runs/${run.id}/annotations`,
    },
    check_suite: { id: run.suiteId },
    app: shape("integration", {
      id: run.app.id,
      slug: run.app.login.replace(/\[bot\]$/, ""),
      name: run.app.login,
    }),
    pull_requests: [],
  });
}

export function checkSuiteJson(base: string, repo: RepoState, suite: CheckSuite) {
  return shape("check-suite", {
    id: suite.id,
    head_sha: suite.headSha,
    head_branch: suite.headBranch,
    status: suite.status,
    conclusion: suite.conclusion,
    url: `${base}/repos/${repo.owner.login}/${repo.name}/check-suites/${suite.id}`,
    app: shape("integration", { id: suite.app.id, slug: suite.app.login, name: suite.app.login }),
    pull_requests: [],
  });
}

export function jobJson(base: string, repo: RepoState, run: WorkflowRun, job: Job) {
  const full = `${repo.owner.login}/${repo.name}`;
  return shape("job", {
    id: job.id,
    run_id: run.id,
    run_attempt: job.runAttempt ?? 1,
    run_url: `${base}/repos/${full}/actions/runs/${run.id}`,
    head_sha: job.headSha ?? run.headSha,
    head_branch: run.headBranch,
    workflow_name: run.name,
    name: job.name,
    status: job.status ?? "completed",
    conclusion: job.conclusion ?? null,
    url: `${base}/repos/${full}/actions/jobs/${job.id}`,
    html_url: `https://github.invalid/${full}/actions/runs/${run.id}/job/${job.id}`,
    check_run_url: `${base}/repos/${full}/check-runs/${job.checkRunId ?? job.id}`,
    created_at: job.startedAt ?? run.createdAt,
    started_at: job.startedAt ?? run.createdAt,
    completed_at: job.completedAt ?? null,
    steps: [],
    labels: ["ubuntu-latest"],
    runner_id: 1,
    runner_name: "GitHub Actions 7",
    runner_group_id: 1,
    runner_group_name: "GitHub Actions",
  });
}
