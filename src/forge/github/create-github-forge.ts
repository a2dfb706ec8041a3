import type { Forge } from "../../pipeline/forge.js";
import { closeReviewThreads } from "./close-review-threads.js";
import type { GitHubContext } from "./context.js";
import type { GitHubClient } from "./create-octokit.js";
import { amendComment, ensureComment } from "./ensure-comment.js";
import { ensureDashboardComment, settleDashboard } from "./ensure-dashboard-comment.js";
import { ensureNodeIssue } from "./ensure-node-issue.js";
import { ensurePullRequest } from "./ensure-pull-request.js";
import { linkDependency, unlinkDependency } from "./link-dependency.js";
import { listCheckResults } from "./list-check-results.js";
import { loadRun } from "./load-run.js";
import { postReview } from "./post-review.js";
import {
  listReviewComments,
  markReadyForReview,
  readPullRequest,
  requestReviewers,
} from "./pull-request-operations.js";
import { readCheckLog } from "./read-check-log.js";
import { cloneUrl, defaultBranch, listFiles, readIssue } from "./repository-reads.js";
import { rerunFailedJobs } from "./rerun-failed-jobs.js";
import { createMemoryRunMemo, type RunMemo } from "./run-memo.js";
import { notePushing } from "./run-whereabouts.js";
import { setNodeStatus } from "./set-node-status.js";
import { addReaction, getPermission, readFile } from "./small-operations.js";
import { upsertCheckRun } from "./upsert-check-run.js";

/**
 * The Forge over one GitHub repository. Lookups are cached per instance, so make one per job or run; what
 * it wrote is kept in `memo` (by default this instance's own; `swarm worker` passes one in Redis).
 */
export function createGitHubForge(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  options: { memo?: RunMemo; rebuildWith?: "graphql" | "rest" } = {},
): Forge {
  const ctx: GitHubContext = {
    octokit,
    owner,
    repo,
    memo: options.memo ?? createMemoryRunMemo(),
    ...(options.rebuildWith ? { rebuildWith: options.rebuildWith } : {}),
    nodeScans: new Map(),
    dashboards: new Map(),
    noDashboard: new Set(),
    blockedBy: new Map(),
  };

  return {
    readIssue: (number) => readIssue(ctx, number),
    defaultBranch: () => defaultBranch(ctx),
    cloneUrl: () => cloneUrl(ctx),
    listFiles: (ref) => listFiles(ctx, ref),
    ensureComment: (issueNumber, key, body) => ensureComment(ctx, issueNumber, key, body),
    amendComment: (issueNumber, key, body) => amendComment(ctx, issueNumber, key, body),
    ensureDashboardComment: (spec, body, meta, writeOptions) =>
      ensureDashboardComment(ctx, spec, body, meta, writeOptions),
    settleDashboard: (spec) => settleDashboard(ctx, spec),
    notePush: (spec, branch, sha) => notePushing(ctx, spec, branch, sha),
    ensureNodeIssue: (spec, node, status, branch) => ensureNodeIssue(ctx, spec, node, status, branch),
    linkDependency: (blocked, blocking) => linkDependency(ctx, blocked, blocking),
    unlinkDependency: (blocked, blocking) => unlinkDependency(ctx, blocked, blocking),
    setNodeStatus: (issue, spec, node, status, branch, result) =>
      setNodeStatus(ctx, issue, spec, node, status, branch, result),
    readPullRequest: (number) => readPullRequest(ctx, number),
    listReviewComments: (pullNumber, reviewId) => listReviewComments(ctx, pullNumber, reviewId),

    markReadyForReview: (pull) => markReadyForReview(ctx, pull),
    requestReviewers: (number, reviewers) => requestReviewers(ctx, number, reviewers),

    ensurePullRequest: (input) => ensurePullRequest(ctx, input),
    postReview: (input) => postReview(ctx, input),
    closeReviewThreads: (pullNumber, closings) => closeReviewThreads(ctx, pullNumber, closings),
    upsertCheckRun: (input) => upsertCheckRun(ctx, input),
    listCheckResults: (ref) => listCheckResults(ctx, ref),
    rerunFailedJobs: (checks) => rerunFailedJobs(ctx, checks),
    readCheckLog: (checkRunId) => readCheckLog(ctx, checkRunId),
    readFile: (ref, path, pin) => readFile(ctx, ref, path, pin),
    getPermission: (username) => getPermission(ctx, username),
    addReaction: (target, content) => addReaction(ctx, target, content),
    loadRun: (spec, loadOptions) => loadRun(ctx, spec, loadOptions),
  };
}
