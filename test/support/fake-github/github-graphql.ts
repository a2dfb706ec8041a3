// The GitHub GraphQL types and fields swarm uses, over the fake's state: a pull request (its draft state and
// review threads) and the two mutations REST lacks. Node ids are opaque strings, as on GitHub.

import { connection, GqlError, type GqlObject } from "./graphql.js";
import type { FakeEvent } from "./routes.js";
import type { FakeState, Pull, RepoState, ReviewComment } from "./state.js";

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

function pullObject(pull: Pull): GqlObject {
  return {
    __typename: "PullRequest",
    fields: {
      id: () => `PR_${pull.id}`,
      number: () => pull.number,
      isDraft: () => pull.draft,
      reviewThreads: (args) =>
        connection("PullRequestReviewThreadConnection", reviewThreadsOf(pull).map(threadObject), args),
    },
  };
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
            pullRequest: (a: Record<string, unknown>) => {
              const pull = repo.pulls.get(Number(a.number));
              if (!pull)
                throw new GqlError(
                  `Could not resolve to a PullRequest with the number of ${String(a.number)}.`,
                  "NOT_FOUND",
                );
              return pullObject(pull);
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
          fields: { pullRequest: () => pullObject(found.pull) },
        };
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
