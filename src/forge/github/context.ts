import type { IssueRef, PullRequestRef } from "../../pipeline/forge.js";
import type { GitHubClient } from "./create-octokit.js";
import type { RunMemo } from "./run-memo.js";

/** What the operations share: the client, the repository, and per-spec lookups made once and kept current. */
export type GitHubContext = {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** What swarm wrote to GitHub, shared by the jobs (and workers) of the repository. */
  memo: RunMemo;
  /** How a run is rebuilt from GitHub: one GraphQL query (the default), or REST (for tests). */
  rebuildWith?: "graphql" | "rest";
  /** Per spec: node id → its issue, and the ids of the spec's sub-issues. */
  nodeScans: Map<number, Promise<NodeScan>>;
  /** Per issue number: the ids of the issues known to block it. */
  blockedBy: Map<number, Set<number>>;
  repository?: Promise<{ defaultBranch: string; cloneUrl: string }>;
  /** Per spec: its dashboard comment and the text it holds. */

  dashboards: Map<number, { id: number; url: string; text: string }>;
  /** Specs this job's own rebuild found no dashboard for (see `keepNoRun`). */
  noDashboard: Set<number>;
};

/** A node's sub-issue, with the body and state swarm last gave it. */
export type NodeIssue = IssueRef & { body: string; open: boolean };

export type NodeScan = {
  byNode: Map<string, NodeIssue>;
  subIssueIds: Set<number>;
};

/** Label that marks node sub-issues, so they are found even before they are linked to their spec. */
export const NODE_LABEL = "swarm:node";

/** A PR as REST answers it, as the stages see it. */
export function pullRequestRef(pr: {
  number: number;
  html_url: string;
  node_id: string;
  head: { sha: string };
  draft?: boolean;
}): PullRequestRef {
  return {
    number: pr.number,
    url: pr.html_url,
    headSha: pr.head.sha,
    draft: pr.draft ?? false,
    nodeId: pr.node_id,
  };
}

/**
 * The errors of a GraphQL answer (which come with status 200, and mean nothing was done), or null for any
 * other failure (a 5xx, no answer), which is a real one.
 */
export function graphqlErrors(error: unknown): { type?: string }[] | null {
  return (error as { name?: string }).name === "GraphqlResponseError"
    ? ((error as { errors?: { type?: string }[] }).errors ?? [])
    : null;
}

export function issueRef(issue: { number: number; id: number; html_url: string }): IssueRef {
  return { number: issue.number, id: issue.id, url: issue.html_url };
}
