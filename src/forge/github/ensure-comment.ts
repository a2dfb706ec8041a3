import { readMarker, renderMarker } from "../../domain/markers.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";
import { listIssueComments } from "./repository-reads.js";
import { issueKey, known, recording } from "./run-memo.js";

type Note = { id: number; url: string; text: string };

/**
 * The keyed comment of an issue: the memo's, or found by its marker among the issue's comments. The issue's
 * comments are listed once (every keyed comment found is remembered); after that the memo's silence means
 * there is none, unless a write of that key may have gone unrecorded.
 */
async function findNote(ctx: GitHubContext, issueNumber: number, key: string): Promise<Note | null> {
  const fields = await ctx.memo.read(issueKey(issueNumber));
  const remembered = known<Note>(fields, `note:${key}`);
  if (remembered) return remembered;
  if (fields.listed === "1" && fields[`?note:${key}`] === undefined) return null;
  return listNotes(ctx, issueNumber, key);
}

async function listNotes(ctx: GitHubContext, issueNumber: number, key: string): Promise<Note | null> {
  const comments = await listIssueComments(ctx, issueNumber);
  const notes = new Map<string, Note>();
  for (const c of comments) {
    const k = readMarker(c.body, "note")?.key;
    if (k !== undefined && !notes.has(k)) notes.set(k, { id: c.id, url: c.html_url, text: c.body ?? "" });
  }
  await ctx.memo.write(issueKey(issueNumber), {
    listed: "1",
    ...Object.fromEntries([...notes].map(([k, n]) => [`note:${k}`, JSON.stringify(n)])),
    [`?note:${key}`]: null,
  });
  return notes.get(key) ?? null;
}

/** Edits the note; false when it is gone (a person deleted it), which the memo then forgets. */
async function editNote(ctx: GitHubContext, issueNumber: number, key: string, note: Note, text: string) {
  const { octokit, owner, repo } = ctx;
  // An edit makes nothing twice, so it needs no unsure mark; a failed one is forgotten, to be read again.
  try {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: note.id, body: text });
  } catch (error) {
    await ctx.memo.write(issueKey(issueNumber), { [`note:${key}`]: null, [`?note:${key}`]: "1" });
    if ((error as { status?: number }).status !== 404) throw error;
    return false;
  }
  await ctx.memo.write(issueKey(issueNumber), { [`note:${key}`]: JSON.stringify({ ...note, text }) });
  return true;
}

/** One comment per key on an issue, found by its marker: created once, edited when its text changes. */
export async function ensureComment(
  ctx: GitHubContext,
  issueNumber: number,
  key: string,
  body: string,
): Promise<{ id: number; url: string }> {
  const { octokit, owner, repo } = ctx;
  const text = fitText(`${body}\n\n${renderMarker("note", { v: 1, key })}`, MAX_ISSUE_BODY);
  const existing = await findNote(ctx, issueNumber, key);
  if (existing && (existing.text === text || (await editNote(ctx, issueNumber, key, existing, text))))
    return { id: existing.id, url: existing.url };
  const made = await recording(
    ctx.memo,
    issueKey(issueNumber),
    `note:${key}`,
    () =>
      createOnce(
        async () => {
          const { data } = await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: issueNumber,
            body: text,
            ...NO_RETRY,
          });
          return { id: data.id, url: data.html_url, text };
        },
        () => listNotes(ctx, issueNumber, key),
      ),
    (note) => JSON.stringify(note),
  );
  return { id: made.id, url: made.url };
}

/** Edits the comment of `key` on an issue when there is one; creates nothing. */
export async function amendComment(
  ctx: GitHubContext,
  issueNumber: number,
  key: string,
  body: string,
): Promise<void> {
  const text = fitText(`${body}\n\n${renderMarker("note", { v: 1, key })}`, MAX_ISSUE_BODY);
  const existing = await findNote(ctx, issueNumber, key);
  if (existing && existing.text !== text) await editNote(ctx, issueNumber, key, existing, text);
}
