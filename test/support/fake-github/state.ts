// What the fake GitHub remembers. Issues and pull requests share one number sequence per repository,
// as on GitHub, and every object has a numeric id distinct from its number.

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type Actor = { login: string; id: number; type: "User" | "Bot" };

/** The app's bot: who an installation token acts as. */
export const APP_BOT: Actor = { login: "swarm-app[bot]", id: 4242, type: "Bot" };

export type Reaction = { id: number; content: string; user: Actor };
export type Comment = {
  id: number;
  issueNumber: number;
  body: string;
  user: Actor;
  reactions: Reaction[];
  createdAt: string;
  updatedAt: string;
};
export type Issue = {
  id: number;
  number: number;
  /** Set on the issue half of a pull request: on GitHub every PR is an issue too (comments, reactions). */
  pullRequest?: true;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  labels: string[];
  user: Actor;
  subIssueIds: number[];
  blockedByIds: number[];
  parentId: number | null;
  reactions: Reaction[];
  createdAt: string;
  updatedAt: string;
};
export type ReviewComment = {
  id: number;
  path: string;
  line: number;
  side: "RIGHT" | "LEFT";
  body: string;
  reactions?: Reaction[];
  /** A reply's thread: the top-level comment it answers (GitHub's `in_reply_to_id`). */
  inReplyTo?: number;
  /** On a thread's top-level comment: the thread is resolved (GitHub keeps this on the thread). */
  resolved?: boolean;
};

export type Review = {
  id: number;
  body: string;
  event: string;
  commitId: string;
  user: Actor;
  comments: ReviewComment[];
  submittedAt: string;
};
export type Pull = {
  id: number;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  user: Actor;
  reviews: Review[];
  requestedReviewers: string[];
  createdAt: string;
  updatedAt: string;
};
export type Annotation = {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
};
export type CheckRun = {
  id: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotations: Annotation[];
  suiteId: number;
  externalId: string | null;
  detailsUrl: string | null;
  app: Actor;
  jobId: number | null;
  startedAt: string;
  completedAt: string | null;
};
export type CheckSuite = {
  id: number;
  headSha: string;
  headBranch: string | null;
  status: string;
  conclusion: string | null;
  app: Actor;
};
export type Job = {
  id: number;
  name: string;
  log: string;
  /** The workflow run it belongs to and the attempt of that run it was played in (GitHub Actions jobs). */
  runId?: number;
  runAttempt?: number;
  headSha?: string;
  status?: "queued" | "in_progress" | "completed";
  conclusion?: string | null;
  checkRunId?: number;
  startedAt?: string;
  completedAt?: string | null;
};
/** A GitHub Actions workflow run: one check suite, its jobs (one check run each), re-run as attempts. */
export type WorkflowRun = {
  id: number;
  name: string;
  event: "pull_request" | "push";
  headSha: string;
  headBranch: string | null;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  runAttempt: number;
  suiteId: number;
  createdAt: string;
  updatedAt: string;
};

export type RepoState = {
  id: number;
  owner: Actor;
  name: string;
  defaultBranch: string;
  bare: string;
  permissions: Map<string, Permission>;
  issues: Map<number, Issue>;
  /** The repository's labels by name (REST makes the ones an issue is created with). */
  labels: Set<string>;
  pulls: Map<number, Pull>;
  comments: Map<number, Comment>;
  checkRuns: Map<number, CheckRun>;
  /** Clone and push over HTTP (with an installation token) instead of from the bare repository's path. */
  gitOverHttp?: boolean;
  checkSuites: Map<number, CheckSuite>;
  jobs: Map<number, Job>;
  workflowRuns: Map<number, WorkflowRun>;
  nextNumber: number;
};

export class FakeState {
  private nextId = 1000;
  readonly repos = new Map<string, RepoState>();

  id(): number {
    return this.nextId++;
  }

  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  repo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** A new open issue in `repo`, numbered after the last issue or pull request. */
  addIssue(
    repo: RepoState,
    fields: { title: string; body: string | null; labels: string[]; user: Actor },
  ): Issue {
    const now = this.now();
    const issue: Issue = {
      id: this.id(),
      number: repo.nextNumber++,
      ...fields,
      state: "open",
      stateReason: null,
      subIssueIds: [],
      blockedByIds: [],
      parentId: null,
      reactions: [],
      createdAt: now,
      updatedAt: now,
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  /** Every issue across repositories, for sub-issue and dependency ids, which GitHub resolves globally. */
  issueById(id: number): { repo: RepoState; issue: Issue } | undefined {
    for (const repo of this.repos.values()) {
      for (const issue of repo.issues.values()) if (issue.id === id) return { repo, issue };
    }
    return undefined;
  }
}
