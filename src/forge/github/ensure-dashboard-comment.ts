import { type DashboardMarker, readMarker, renderMarker } from "../../domain/markers.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ISSUE_BODY } from "./limits.js";

/** The spec's dashboard among its comments: the one whose marker names the spec. */
export function dashboardOf(
  spec: number,
  comments: readonly { id: number; html_url: string; body?: string | null }[],
): { id: number; url: string; text: string } | null {
  const found = comments.find((c) => readMarker(c.body, "dashboard")?.spec === spec);
  return found ? { id: found.id, url: found.html_url, text: found.body ?? "" } : null;
}

/** The spec's one dashboard comment, found by its marker: edited in place, and only when it changed. */
export async function ensureDashboardComment(
  ctx: GitHubContext,
  spec: number,
  body: string,
  meta: DashboardMarker,
): Promise<{ id: number; url: string }> {
  const { octokit, owner, repo } = ctx;
  const text = fitText(`${body}\n\n${renderMarker("dashboard", meta)}`, MAX_ISSUE_BODY);
  const find = async () =>
    dashboardOf(
      spec,
      await octokit.paginate(octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: spec,
        per_page: 100,
      }),
    );
  let known = ctx.dashboards.get(spec) ?? (await find()) ?? undefined;
  if (!known) {
    known = await createOnce(async () => {
      const { data } = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: spec,
        body: text,
        ...NO_RETRY,
      });
      return { id: data.id, url: data.html_url, text };
    }, find);
  }
  if (known.text !== text) {
    const { data } = await octokit.rest.issues.updateComment({
      owner,
      repo,
      comment_id: known.id,
      body: text,
    });
    known = { id: data.id, url: data.html_url, text };
  }
  ctx.dashboards.set(spec, known);
  return { id: known.id, url: known.url };
}
