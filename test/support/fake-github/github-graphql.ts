// The GitHub GraphQL types and fields swarm uses, over the fake's state: a pull request (its draft state and
// review threads), the two mutations REST lacks, and what a run's snapshot reads (the spec issue's comments
// and sub-issues, labelled issues, branch refs and their pull requests). Node ids are opaque strings, as on
// GitHub; the data is the REST routes' own (same ids, same web addresses).

import { listBranches, resolveRef } from "./bare-repo.js";
import { connection, GqlError, type GqlObject } from "./graphql.js";
import { htmlUrl, labelId } from "./objects.js";
import type { FakeEvent } from "./routes.js";
import {
  APP_BOT,
  type Comment,
  type FakeState,
  type Issue,
  type Pull,
  type RepoState,
  type ReviewComment,
} from "./state.js";

const INT_MAX = 2 ** 31 - 1;

/**
 * `databaseId` is a GraphQL Int (32 bits), and GitHub's issue and comment ids have outgrown it: such an id
 * cannot be answered there, only as `fullDatabaseId` (a BigInt, sent as a string). The wording is the fake's.
 */
function databaseId(id: number): number {
  if (id > INT_MAX)
    throw new GqlError(`Int cannot represent non 32-bit signed integer value: ${id} (use fullDatabaseId)`);
  return id;
}

const threadId = (top: ReviewComment) => `PRRT_${Buffer.from(`thread:${top.id}`).toString("base64url")}`;

/** A pull request's review threads: each top-level line comment with its replies, oldest first. */
export function reviewThreadsOf(pull: Pull): { id: string; top: ReviewComment; comments: ReviewComment[] }[] {
  const all = pull.reviews.flatMap((r) => r.comments).sort((a, b) => a.id - b.id);
  return all
    .filter((c) => c.inReplyTo === undefined)
    .map((top) => ({
      id: threadId(top),
      top,
      comments: [top, ...all.filter((c) => c.inReplyTo === top.id)],
    }));
}

function commentObject(c: ReviewComment): GqlObject {
  return {
    __typename: "PullRequestReviewComment",
    fields: {
      id: () => `PRRC_${Buffer.from(`comment:${c.id}`).toString("base64url")}`,
      databaseId: () => c.id,
      body: () => c.body,
      path: () => c.path,
    },
  };
}

function threadObject(thread: ReturnType<typeof reviewThreadsOf>[number]): GqlObject {
  return {
    __typename: "PullRequestReviewThread",
    fields: {
      id: () => thread.id,
      isResolved: () => thread.top.resolved === true,
      path: () => thread.top.path,
      line: () => thread.top.line,
      comments: (args) =>
        connection("PullRequestReviewCommentConnection", thread.comments.map(commentObject), args),
    },
  };
}

function pullObject(repo: RepoState, pull: Pull): GqlObject {
  return {
    __typename: "PullRequest",
    fields: {
      id: () => `PR_${pull.id}`,
      number: () => pull.number,
      url: () => htmlUrl.pull(repo, pull.number),
      state: () => (pull.state === "open" ? "OPEN" : "CLOSED"),
      isDraft: () => pull.draft,
      headRefName: () => pull.head,
      // As REST's `head.sha`: where the head branch points now.
      headRefOid: () => resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "0".repeat(40),
      reviewThreads: (args) =>
        connection("PullRequestReviewThreadConnection", reviewThreadsOf(pull).map(threadObject), args),
    },
  };
}

function issueCommentObject(repo: RepoState, c: Comment): GqlObject {
  return {
    __typename: "IssueComment",
    fields: {
      id: () => `IC_${Buffer.from(`comment:${c.id}`).toString("base64url")}`,
      databaseId: () => databaseId(c.id),
      fullDatabaseId: () => String(c.id),
      url: () => htmlUrl.comment(repo, c),
      body: () => c.body,
    },
  };
}

const issueNodeId = (issue: Issue) => `I_${Buffer.from(`issue:${issue.id}`).toString("base64url")}`;
const repositoryId = (repo: RepoState) => `R_${Buffer.from(`repo:${repo.id}`).toString("base64url")}`;

function issueObject(state: FakeState, repo: RepoState, issue: Issue): GqlObject {
  return {
    __typename: "Issue",
    fields: {
      id: () => issueNodeId(issue),
      databaseId: () => databaseId(issue.id),
      fullDatabaseId: () => String(issue.id),
      number: () => issue.number,
      url: () => htmlUrl.issue(repo, issue.number),
      body: () => issue.body ?? "", // String! on GitHub: an issue without a body has ""
      state: () => (issue.state === "open" ? "OPEN" : "CLOSED"),
      // Oldest first, as REST lists them.
      comments: (args) =>
        connection(
          "IssueCommentConnection",
          [...repo.comments.values()]
            .filter((c) => c.issueNumber === issue.number)
            .map((c) => issueCommentObject(repo, c)),
          args,
        ),
      subIssues: (args) =>
        connection(
          "IssueConnection",
          issue.subIssueIds.flatMap((id) => {
            const found = state.issueById(id);
            return found ? [issueObject(state, found.repo, found.issue)] : [];
          }),
          args,
        ),
    },
  };
}

/** A branch, named as GitHub names a ref under `refPrefix`: the part after the prefix. */
function refObject(repo: RepoState, prefix: string, full: string, sha: string): GqlObject {
  const branch = full.replace(/^refs\/heads\//, "");
  return {
    __typename: "Ref",
    fields: {
      name: () => full.slice(prefix.length),
      prefix: () => prefix,
      target: () => ({ __typename: "Commit", fields: { oid: () => sha } }),
      associatedPullRequests: (args) => {
        const states = Array.isArray(args.states) ? args.states.map(String) : null;
        const pulls = [...repo.pulls.values()].filter(
          (p) => p.head === branch && (!states || states.includes(p.state === "open" ? "OPEN" : "CLOSED")),
        );
        return connection(
          "PullRequestConnection",
          pulls.map((p) => pullObject(repo, p)),
          args,
        );
      },
    },
  };
}

/** The repository's issues (pull requests are not among them here, unlike REST's list), filtered and ordered. */
function repositoryIssues(state: FakeState, repo: RepoState, args: Record<string, unknown>): GqlObject {
  const labels = Array.isArray(args.labels) ? args.labels.map(String) : null;
  const states = Array.isArray(args.states) ? args.states.map(String) : null;
  const order = (args.orderBy ?? { field: "CREATED_AT", direction: "ASC" }) as Record<string, unknown>;
  if (order.field !== "CREATED_AT")
    throw new GqlError(`The fake orders issues by CREATED_AT only, not ${String(order.field)}`);
  const issues = [...repo.issues.values()].filter(
    (i) =>
      !i.pullRequest &&
      // Any of the labels (a list of one, in swarm's query).
      (!labels || labels.some((l) => i.labels.includes(l))) &&
      (!states || states.includes(i.state === "open" ? "OPEN" : "CLOSED")),
  );
  // Numbers follow creation, and (unlike `createdAt`, to the second) never tie.
  issues.sort((a, b) => (order.direction === "DESC" ? b.number - a.number : a.number - b.number));
  return connection(
    "IssueConnection",
    issues.map((i) => issueObject(state, repo, i)),
    args,
  );
}

/** Refs under `refPrefix` (which must be a folder, ending in "/"), by name, `query` matching part of it. */
function repositoryRefs(repo: RepoState, args: Record<string, unknown>): GqlObject {
  const prefix = String(args.refPrefix ?? "");
  // GitHub takes a folder here (`refs/heads/`), not a name cut short; narrowing within the folder is what
  // `query` is for. What GitHub does with a cut name is not documented, so the fake refuses it.
  if (!prefix.startsWith("refs/") || !prefix.endsWith("/"))
    throw new GqlError(
      `refPrefix must be a folder of refs ending in "/", like "refs/heads/" (got "${prefix}")`,
    );
  const query = typeof args.query === "string" ? args.query : "";
  const refs = [...listBranches(repo.bare)].filter(
    ([full]) => full.startsWith(prefix) && full.slice(prefix.length).includes(query),
  );
  return connection(
    "RefConnection",
    refs.map(([full, sha]) => refObject(repo, prefix, full, sha)),
    args,
  );
}

export function githubGraphqlRoots(state: FakeState, emit: (event: FakeEvent) => void) {
  const pulls = () =>
    [...state.repos.values()].flatMap((repo) => [...repo.pulls.values()].map((pull) => ({ repo, pull })));
  const notFound = (id: unknown) =>
    new GqlError(`Could not resolve to a node with the global id of '${String(id)}'`, "NOT_FOUND");
  const inputOf = (args: Record<string, unknown>) => (args.input ?? {}) as Record<string, unknown>;
  const query: GqlObject = {
    __typename: "Query",
    fields: {
      repository: (args) => {
        const repo: RepoState | undefined = state.repo(String(args.owner), String(args.name));
        if (!repo)
          throw new GqlError(
            `Could not resolve to a Repository with the name '${String(args.owner)}/${String(args.name)}'.`,
            "NOT_FOUND",
          );
        return {
          __typename: "Repository",
          fields: {
            id: () => repositoryId(repo),
            label: (a: Record<string, unknown>) =>
              repo.labels.has(String(a.name))
                ? {
                    __typename: "Label",
                    fields: { id: () => labelId(String(a.name)), name: () => String(a.name) },
                  }
                : null,
            issue: (a: Record<string, unknown>) => {
              const issue = repo.issues.get(Number(a.number));
              if (!issue || issue.pullRequest)
                throw new GqlError(
                  `Could not resolve to an Issue with the number of ${String(a.number)}.`,
                  "NOT_FOUND",
                );
              return issueObject(state, repo, issue);
            },
            issues: (a: Record<string, unknown>) => repositoryIssues(state, repo, a),
            refs: (a: Record<string, unknown>) => repositoryRefs(repo, a),
            pullRequest: (a: Record<string, unknown>) => {
              const pull = repo.pulls.get(Number(a.number));
              if (!pull)
                throw new GqlError(
                  `Could not resolve to a PullRequest with the number of ${String(a.number)}.`,
                  "NOT_FOUND",
                );
              return pullObject(repo, pull);
            },
          },
        } satisfies GqlObject;
      },
    },
  };
  const mutation: GqlObject = {
    __typename: "Mutation",
    fields: {
      markPullRequestReadyForReview: (args) => {
        const id = inputOf(args).pullRequestId;
        const found = pulls().find((x) => `PR_${x.pull.id}` === id);
        if (!found) throw notFound(id);
        found.pull.draft = false;
        emit({ kind: "pull-request", repo: found.repo, pull: found.pull, action: "ready_for_review" });
        return {
          __typename: "MarkPullRequestReadyForReviewPayload",
          fields: { pullRequest: () => pullObject(found.repo, found.pull) },
        };
      },
      // An issue, with its labels and, given `parentIssueId`, as a sub-issue of that one: what REST needs
      // two requests for. The same checks as REST's sub-issue route.
      createIssue: (args) => {
        const input = inputOf(args);
        const repo = [...state.repos.values()].find((r) => repositoryId(r) === input.repositoryId);
        if (!repo) throw notFound(input.repositoryId);
        const labels = (Array.isArray(input.labelIds) ? input.labelIds : []).map((id) => {
          const name = [...repo.labels].find((l) => labelId(l) === id);
          if (name === undefined) throw notFound(id);
          return name;
        });
        const parent =
          input.parentIssueId === undefined || input.parentIssueId === null
            ? null
            : [...repo.issues.values()].find((i) => issueNodeId(i) === input.parentIssueId);
        if (parent === undefined) throw notFound(input.parentIssueId);
        if (parent && parent.subIssueIds.length >= 100)
          throw new GqlError("Parent cannot have more than 100 sub-issues", "UNPROCESSABLE");
        const body = typeof input.body === "string" ? input.body : null;
        if ((body ?? "").length > 65536) throw new GqlError("Body is too long (maximum is 65536 characters)");
        const issue = state.addIssue(repo, { title: String(input.title ?? ""), body, labels, user: APP_BOT });
        if (parent) {
          parent.subIssueIds.push(issue.id);
          issue.parentId = parent.id;
        }
        return { __typename: "CreateIssuePayload", fields: { issue: () => issueObject(state, repo, issue) } };
      },
      resolveReviewThread: (args) => {
        const id = inputOf(args).threadId;
        const thread = pulls()
          .flatMap((x) => reviewThreadsOf(x.pull))
          .find((t) => t.id === id);
        if (!thread) throw notFound(id);
        thread.top.resolved = true; // resolving a resolved thread is no error on GitHub either
        return { __typename: "ResolveReviewThreadPayload", fields: { thread: () => threadObject(thread) } };
      },
    },
  };
  return { query, mutation };
}
