import { type DashboardMarker, readMarker, renderMarker } from "../../domain/markers.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";
import { listIssueComments } from "./repository-reads.js";
import { known as knownField, recording, specKey } from "./run-memo.js";

type Dashboard = { id: number; url: string; text: string };

/** The spec's dashboard among its comments: the one whose marker names the spec. */
export function dashboardOf(
  spec: number,
  comments: readonly { id: number; html_url: string; body?: string | null }[],
): Dashboard | null {
  const found = comments.find((c) => readMarker(c.body, "dashboard")?.spec === spec);
  return found ? { id: found.id, url: found.html_url, text: found.body ?? "" } : null;
}

/** A deferred step the memo holds for the spec (see `ensureDashboardComment`), newer than the comment. */
const aheadOf = (fields: Record<string, string>) => knownField<{ text: string }>(fields, "ahead");

/** `dashboard` with the text of a deferred step, when the memo holds one. */
export function withAhead<D extends Dashboard | null>(dashboard: D, fields: Record<string, string>): D {
  const ahead = aheadOf(fields);
  return ahead && dashboard ? { ...dashboard, text: ahead.text } : dashboard;
}

/** The dashboard comment as the memo holds it (with a deferred step's text, which is newer). */
export function memoDashboard(fields: Record<string, string>): Dashboard | null {
  const dashboard = knownField<Dashboard>(fields, "dashboard");
  return dashboard && withAhead(dashboard, fields);
}

/** The spec's dashboard comment as GitHub holds it (and remembered), or null. */
export async function findDashboard(ctx: GitHubContext, spec: number): Promise<Dashboard | null> {
  const found = dashboardOf(spec, await listIssueComments(ctx, spec));
  if (found) await ctx.memo.write(specKey(spec), { dashboard: JSON.stringify(found) });
  return found;
}

/** A deferred step still ahead of the comment is written to it. */
export async function settleDashboard(ctx: GitHubContext, spec: number): Promise<void> {
  const fields = await ctx.memo.read(specKey(spec));
  const onGitHub = knownField<Dashboard>(fields, "dashboard");
  const ahead = aheadOf(fields);
  if (!onGitHub || !ahead) return;
  if (ahead.text !== onGitHub.text)
    await ctx.octokit.rest.issues.updateComment({
      owner: ctx.owner,
      repo: ctx.repo,
      comment_id: onGitHub.id,
      body: ahead.text,
    });
  await ctx.memo.write(specKey(spec), {
    dashboard: JSON.stringify({ ...onGitHub, text: ahead.text }),
    ahead: null,
  });
}

/** The spec's one dashboard comment, found by its marker: edited in place, and only when it changed. */
export async function ensureDashboardComment(
  ctx: GitHubContext,
  spec: number,
  body: string,
  meta: DashboardMarker,
  options: { deferred?: boolean } = {},
): Promise<{ id: number; url: string }> {
  const { octokit, owner, repo } = ctx;
  const text = fitText(`${body}\n\n${renderMarker("dashboard", meta)}`, MAX_ISSUE_BODY);
  const fields = await ctx.memo.read(specKey(spec));
  const onGitHub = knownField<Dashboard>(fields, "dashboard");
  if (options.deferred && onGitHub) {
    await ctx.memo.write(specKey(spec), { ahead: JSON.stringify({ text }) });
    return { id: onGitHub.id, url: onGitHub.url };
  }
  const find = () => findDashboard(ctx, spec);
  // This job's rebuild found no run, so no dashboard: the plan job (which makes it) holds the run's lock.
  const none = ctx.noDashboard.has(spec) && fields["?dashboard"] === undefined;
  const create = async () => {
    ctx.noDashboard.delete(spec);
    return recording(
      ctx.memo,
      specKey(spec),
      "dashboard",
      () =>
        createOnce(async () => {
          const { data } = await octokit.rest.issues.createComment({
            owner,
            repo,
            issue_number: spec,
            body: text,
            ...NO_RETRY,
          });
          return { id: data.id, url: data.html_url, text };
        }, find),
      (made) => JSON.stringify(made),
    );
  };
  // The memo first: another worker may have edited the dashboard since this job last did.
  let known: Dashboard =
    onGitHub ?? ctx.dashboards.get(spec) ?? (none ? null : await find()) ?? (await create());
  if (known.text !== text) {
    // An edit makes nothing twice, so it needs no unsure mark; a failed one is forgotten, to be read again.
    const edited = await octokit.rest.issues
      .updateComment({ owner, repo, comment_id: known.id, body: text })
      .catch(async (error) => {
        await ctx.memo.write(specKey(spec), { dashboard: null });
        if ((error as { status?: number }).status !== 404) throw error;
        return null; // a person deleted it: there is one again
      });
    known = edited
      ? { id: edited.data.id, url: edited.data.html_url, text }
      : ((await find()) ?? (await create()));
    if (edited) await ctx.memo.write(specKey(spec), { dashboard: JSON.stringify(known) });
  }
  if (fields.ahead !== undefined) await ctx.memo.write(specKey(spec), { ahead: null });
  ctx.dashboards.set(spec, known);
  return { id: known.id, url: known.url };
}
