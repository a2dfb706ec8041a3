// What the stages need from wherever the repository lives: GitHub (src/forge/github) or a local git
// repository (src/forge/local). Every write is an ensure/upsert: calling it again creates nothing new.
import type { DashboardMarker } from "../domain/markers.js";
import type { Plan, PlanNode } from "../domain/plan/plan.js";
import type { NodeStatus } from "../domain/state/node-status.js";

export type IssueRef = { number: number; id: number; url: string };

/** What a done node's coder said: what it did, and notes for the nodes that build on it. */
export type NodeResult = { summary: string; handoff?: string };

/** What a node's sub-issue records beside its status: its result, and a revision it is on. */
export type NodeRecord = Partial<NodeResult> & {
  /** While a revision is pending or running: what it must change, so a run rebuilt from GitHub keeps it. */
  revision?: string;
  /**
   * For people, once the node is done: what it committed and how its checks went. Shown on its sub-issue
   * with the status, in the one edit that closes it (no comment of its own: a write less per node).
   */
  report?: string;
  /** The commit the node's branch was pushed at, once done: kept by the forge, not shown. */
  head?: string;
};

export type LoadRunOptions = {
  rebuild?: boolean;
  /**
   * For a caller that reads only the plan and its nodes: the branches and the PR are not read, and come
   * back empty.
   */
  nodesOnly?: boolean;
  /**
   * Read the branches and the PR from the forge even when it remembers them unmoved: for a caller that
   * holds news the forge may not have heard yet (checks on a head the PR does not have, say).
   */
  recheck?: boolean;
};

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

export type Annotation = {
  path: string;
  startLine: number;
  endLine: number;
  level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
};

export type CheckConclusion =
  | "success"
  | "failure"
  | "neutral"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required";

export type CheckRunInput = {
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations?: readonly Annotation[];
  detailsUrl?: string;
  /**
   * The check's whole output, for a forge that serves check logs itself (the local forge keeps it, bounded);
   * on GitHub, Actions keeps its jobs' logs and this is not sent.
   */
  log?: string;
};

export type CheckResult = {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  annotations: Annotation[];
  /** The end of the job's log, for failed runs of GitHub Actions jobs. */
  logTail: string | null;
  /** Where the check links (for a GitHub Actions job, its page, which names the workflow run and the job). */
  detailsUrl?: string | null;
};

/** What asking for failed checks to run again started: the checks re-run, and the ones that cannot be. */
export type RerunResult = { rerun: string[]; notRerun: { name: string; why: string }[] };

/** A line comment of a review; `id` is set on those read back from the forge. */
export type ReviewComment = { path: string; line: number; body: string; id?: number };

/** A reply to post on the review thread of a line comment, once per `key` in that thread, which is resolved. */
export type ThreadClosing = { commentId: number; key: string; body: string };

export type PullRequestRef = {
  number: number;
  url: string;
  headSha: string;
  draft: boolean;
  /** GitHub's node id, where it was read with the PR (GraphQL's mutations take it, not the number). */
  nodeId?: string;
};
export type PullRequestView = PullRequestRef & { headRef: string; state: "open" | "closed" };

export type LoadedRun = {
  spec: number;
  meta: DashboardMarker;
  plan: Plan;
  states: Record<string, NodeStatus>;
  nodeIssues: Record<string, IssueRef>;
  /** What each done node said it did (from its sub-issue). */
  summaries: Record<string, string>;
  /** What each done node left for the nodes that depend on it, where it left anything. */
  handoffs: Record<string, string>;
  /** The feedback of each node whose revision is pending or running. */
  revisions: Record<string, string>;
  /** Node id → its branch as its sub-issue names it, pushed yet or not. */
  nodeBranches: Record<string, string>;
  /** Branch name → head sha, for the run's node and integration branches that exist. */
  branches: Record<string, string>;
  pullRequest: PullRequestRef | null;
};

export type IssueSnapshot = {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  author: { login: string; type: string };
};

export type Forge = {
  readIssue(number: number): Promise<IssueSnapshot>;
  defaultBranch(): Promise<string>;
  /** Where workers clone and push (https for GitHub, a path or file:// for tests and the local forge). */
  cloneUrl(): Promise<string>;

  /** Every file path at `ref` (the planner's view of the repository starts here). */
  listFiles(ref: string): Promise<string[]>;
  /** One comment per `key` on an issue (an error, a notice), created or edited in place. */
  ensureComment(issueNumber: number, key: string, body: string): Promise<{ id: number; url: string }>;
  /** Edits the comment of `key` on an issue if there is one (an error that no longer holds); creates none. */
  amendComment(issueNumber: number, key: string, body: string): Promise<void>;

  /**
   * The one dashboard comment on the spec issue, created or edited in place. `deferred`: a step the next
   * write follows within seconds (laying out a plan, merging) is kept where swarm's stages read it, and
   * reaches the comment with that next write (a write less; the local forge writes it at once).
   */
  ensureDashboardComment(
    spec: number,
    body: string,
    meta: DashboardMarker,
    options?: { deferred?: boolean },
  ): Promise<{ id: number; url: string }>;
  /** Writes a deferred dashboard step that no later write carried (its job ended without one). */
  settleDashboard(spec: number): Promise<void>;
  /**
   * swarm is about to push `branch` of the spec's run at `sha`, a commit it made: said before the push, so
   * the push's webhook (which may come first) is known as swarm's own, and the commit's check runs as
   * swarm's to record.
   */
  notePush(spec: number, branch: string, sha: string): Promise<void>;
  /** The node's sub-issue of the spec, created once (and linked as a sub-issue) whatever happens between. */
  ensureNodeIssue(spec: number, node: PlanNode, status: NodeStatus, branch: string): Promise<IssueRef>;
  /** `blocked` is blocked by `blocking` (GitHub's issue dependencies). */
  linkDependency(blocked: IssueRef, blocking: IssueRef): Promise<void>;
  /** Undoes `linkDependency` (a replan dropped the edge); a link already gone is no error. */
  unlinkDependency(blocked: IssueRef, blocking: IssueRef): Promise<void>;
  /** Records the node's status (and what it did) on its sub-issue, closing it when done, reopening it when revised. */
  setNodeStatus(
    issue: IssueRef,
    spec: number,
    node: PlanNode,
    status: NodeStatus,
    branch: string,
    result?: NodeRecord,
  ): Promise<void>;
  readPullRequest(number: number): Promise<PullRequestView>;
  /** Takes a draft PR out of draft; a PR that is ready already is left alone. */
  markReadyForReview(pull: { number: number; nodeId?: string }): Promise<void>;
  requestReviewers(number: number, reviewers: readonly string[]): Promise<void>;
  /**
   * The open PR from `head`, created or updated. `headSha`: the commit swarm just pushed there (or found
   * there); with it, a PR this forge remembers ensuring is not looked up first.
   */
  ensurePullRequest(input: {
    head: string;
    base: string;
    title: string;
    body: string;
    draft: boolean;
    headSha?: string;
  }): Promise<PullRequestRef>;
  /**
   * One review per `key` (say, the head sha and the round): posting it again returns the first. Returns
   * its line comments' ids, in the order of `comments` (null for one it cannot find).
   */
  postReview(input: {
    pullNumber: number;
    commitSha: string;
    key: string;
    body: string;
    comments: readonly ReviewComment[];
  }): Promise<{ id: number; commentIds: (number | null)[] }>;
  /**
   * Resolves the thread of each comment (the comment itself or one of its replies) and replies on it, once
   * per key: a thread that has a reply of that key is left as it is (a person may have reopened it), and
   * two closings of one thread and key post the first's body. Returns the comments whose thread was not
   * found (deleted, say).
   */
  closeReviewThreads(pullNumber: number, closings: readonly ThreadClosing[]): Promise<{ missing: number[] }>;
  /** The check run called `name` on `headSha`, created or updated; annotations are sent 50 at a time. */
  upsertCheckRun(input: CheckRunInput): Promise<{ id: number }>;
  listCheckResults(ref: string): Promise<CheckResult[]>;
  /**
   * Runs the failed jobs behind these checks again on the same commit (GitHub Actions' "re-run failed
   * jobs"); their new results arrive as new check runs of the same names. Checks that are not jobs of a
   * workflow run, or that GitHub refuses to re-run, are returned in `notRerun`.
   */
  rerunFailedJobs(checks: readonly CheckResult[]): Promise<RerunResult>;
  /** The whole log of a check run (a GitHub Actions job's log, or what the local CI printed); null if none. */
  readCheckLog(checkRunId: number): Promise<string | null>;
  /**
   * A file's text at `ref`, or null when there is none. With `run`, the file as that run first read it (a
   * run's later stages use the config it started with, and ask GitHub nothing for it); `fresh` reads it
   * again and keeps that (the plan stage, where a run starts or is planned again).
   */
  readFile(ref: string, path: string, pin?: { run: number; fresh?: boolean }): Promise<string | null>;
  getPermission(username: string): Promise<Permission>;
  addReaction(
    target: { issueNumber: number } | { commentId: number } | { reviewCommentId: number },
    content: ReactionContent,
  ): Promise<void>;
  /** The line comments of one review of a PR. */
  listReviewComments(pullNumber: number, reviewId: number): Promise<ReviewComment[]>;

  /**
   * The spec's run, or null if there is none. Read from what this forge remembers of its own writes where
   * it can; `rebuild` (or nothing remembered) rebuilds it from the forge alone (markers, sub-issues,
   * branches, PR).
   */
  loadRun(spec: number, options?: LoadRunOptions): Promise<LoadedRun | null>;
};
