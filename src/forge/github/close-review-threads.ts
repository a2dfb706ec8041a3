import { readMarker, renderMarker } from "../../domain/markers.js";
import type { ThreadClosing } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";

// REST has no review threads: GraphQL lists them (with their comments' REST ids) and resolves them.
const THREADS = `query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id isResolved comments(first: 100) { nodes { databaseId body } } }
      }
    }
  }
}`;
const RESOLVE =
  "mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }";

type Thread = {
  id: string;
  isResolved: boolean;
  comments: { nodes: { databaseId: number | null; body: string }[] };
};
type ThreadsPage = {
  repository: {
    pullRequest: {
      reviewThreads: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Thread[] };
    } | null;
  } | null;
};

/**
 * Resolves each comment's thread and replies on it (to its first comment: GitHub takes no replies to
 * replies), unless a reply of the closing's key is there already. One query for up to 100 threads, then per
 * thread a mutation and a reply.
 */
export async function closeReviewThreads(
  ctx: GitHubContext,
  pullNumber: number,
  closings: readonly ThreadClosing[],
): Promise<{ missing: number[] }> {
  if (closings.length === 0) return { missing: [] };
  const { octokit, owner, repo } = ctx;
  const wanted = new Set(closings.map((c) => c.commentId));
  const threadOf = new Map<number, Thread>();
  for (let after: string | null = null; ; ) {
    const page: ThreadsPage = await octokit.graphql<ThreadsPage>(THREADS, {
      owner,
      name: repo,
      number: pullNumber,
      after,
    });
    const threads = page.repository?.pullRequest?.reviewThreads;
    if (!threads) break;
    for (const thread of threads.nodes)
      for (const c of thread.comments.nodes)
        if (c.databaseId !== null && wanted.has(c.databaseId)) threadOf.set(c.databaseId, thread);
    if (threadOf.size === wanted.size || !threads.pageInfo.hasNextPage) break;
    after = threads.pageInfo.endCursor;
  }

  // Per thread, the closings whose key has no reply there yet; a thread with all its replies is left as it
  // is, even if a person has unresolved it since.
  const due = new Map<string, { thread: Thread; top: number; closings: ThreadClosing[] }>();
  for (const closing of closings) {
    const thread = threadOf.get(closing.commentId);
    const top = thread?.comments.nodes[0]?.databaseId;
    if (!thread || !top) continue;
    if (thread.comments.nodes.some((c) => readMarker(c.body, "note")?.key === closing.key)) continue;
    const entry = due.get(thread.id) ?? { thread, top, closings: [] };
    if (!entry.closings.some((c) => c.key === closing.key)) entry.closings.push(closing);
    due.set(thread.id, entry);
  }
  for (const { thread, top, closings: replies } of due.values()) {
    // Resolved before the reply, so a retry that finds the reply knows the thread was resolved.
    if (!thread.isResolved) await octokit.graphql(RESOLVE, { id: thread.id });
    for (const closing of replies) await reply(ctx, pullNumber, top, closing);
  }
  return { missing: [...wanted].filter((id) => !threadOf.has(id)) };
}

async function reply(ctx: GitHubContext, pullNumber: number, top: number, closing: ThreadClosing) {
  const { octokit, owner, repo } = ctx;
  const find = async () => {
    const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
      owner,
      repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    return (
      comments.find((c) => c.in_reply_to_id === top && readMarker(c.body, "note")?.key === closing.key) ??
      null
    );
  };
  await createOnce(
    async () =>
      (
        await octokit.rest.pulls.createReplyForReviewComment({
          ...NO_RETRY,
          owner,
          repo,
          pull_number: pullNumber,
          comment_id: top,
          body: fitText(
            `${closing.body}\n\n${renderMarker("note", { v: 1, key: closing.key })}`,
            MAX_ISSUE_BODY,
          ),
        })
      ).data,
    find,
  );
}
