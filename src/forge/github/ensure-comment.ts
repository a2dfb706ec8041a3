import { readMarker, renderMarker } from "../../domain/markers.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";

/** One comment per key on an issue, found by its marker: created once, edited when its text changes. */
export async function ensureComment(
  ctx: GitHubContext,
  issueNumber: number,
  key: string,
  body: string,
): Promise<{ id: number; url: string }> {
  const { octokit, owner, repo } = ctx;
  const text = fitText(`${body}\n\n${renderMarker("note", { v: 1, key })}`, MAX_ISSUE_BODY);
  const find = async () => {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issueNumber,
      per_page: 100,
    });
    return comments.find((c) => readMarker(c.body, "note")?.key === key) ?? null;
  };
  const existing = await find();
  if (!existing) {
    const made = await createOnce(
      async () =>
        (
          await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: issueNumber,
            body: text,
            ...NO_RETRY,
          })
        ).data,
      find,
    );
    return { id: made.id, url: made.html_url };
  }
  if (existing.body !== text)
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text });
  return { id: existing.id, url: existing.html_url };
}

/** Edits the comment of `key` on an issue when there is one; creates nothing. */
export async function amendComment(
  ctx: GitHubContext,
  issueNumber: number,
  key: string,
  body: string,
): Promise<void> {
  const { octokit, owner, repo } = ctx;
  const text = fitText(`${body}\n\n${renderMarker("note", { v: 1, key })}`, MAX_ISSUE_BODY);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const existing = comments.find((c) => readMarker(c.body, "note")?.key === key);
  if (existing && existing.body !== text)
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text });
}
