import type { Annotation, CheckRunInput } from "../../pipeline/forge.js";
import type { GitHubContext } from "./context.js";
import { createOnce, NO_RETRY } from "./create-once.js";
import { fitText, MAX_ANNOTATIONS_PER_REQUEST, MAX_CHECK_TEXT } from "./limits.js";
import { commitKey, known, recording, remember, unsure } from "./run-memo.js";

/**
 * The check run `name` on `headSha`, created or updated. GitHub takes 50 annotations a request and appends
 * those of later updates, so the rest follow in updates of 50. The id swarm created is kept in the memo
 * (under the commit), so an update asks GitHub nothing first.
 */
export async function upsertCheckRun(ctx: GitHubContext, input: CheckRunInput): Promise<{ id: number }> {
  const { octokit, owner, repo } = ctx;
  const find = async () => {
    const { data } = await octokit.rest.checks.listForRef({
      owner,
      repo,
      ref: input.headSha,
      check_name: input.name,
      filter: "latest",
    });
    return data.check_runs[0] ?? null;
  };
  const batches = chunk(input.annotations ?? [], MAX_ANNOTATIONS_PER_REQUEST);
  const output = (annotations: readonly Annotation[]) => ({
    title: input.title,
    summary: fitText(input.summary, MAX_CHECK_TEXT),
    ...(input.text === undefined ? {} : { text: fitText(input.text, MAX_CHECK_TEXT) }),
    annotations: annotations.map((a) => ({
      path: a.path,
      start_line: a.startLine,
      end_line: a.endLine,
      annotation_level: a.level,
      message: a.message,
      ...(a.title ? { title: a.title } : {}),
    })),
  });
  const fields = {
    status: input.status,
    ...(input.conclusion ? { conclusion: input.conclusion } : {}),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
  };
  const key = commitKey(input.headSha);
  const field = `check:${input.name}`;
  const record = await ctx.memo.read(key);
  const kept = known<number>(record, field);
  // A commit swarm made has no check run of swarm's it did not record (a create cut short leaves its mark).
  const none = kept === null && record.mine !== undefined && !unsure(record, field);
  const existing = kept !== null ? { id: kept } : none ? null : await find();
  // Found on GitHub where the memo was unsure or silent: recorded, so the next upsert asks nothing.
  if (kept === null && existing) await remember(ctx.memo, key, field, String(existing.id));
  const id = existing
    ? (
        await octokit.rest.checks.update({
          owner,
          repo,
          check_run_id: existing.id,
          ...fields,
          output: output(batches[0] ?? []),
        })
      ).data.id
    : await recording(
        ctx.memo,
        key,
        field,
        async () =>
          (
            await createOnce(
              async () =>
                (
                  await octokit.rest.checks.create({
                    owner,
                    repo,
                    name: input.name,
                    head_sha: input.headSha,
                    ...fields,
                    output: output(batches[0] ?? []),
                    ...NO_RETRY,
                  })
                ).data,
              find,
            )
          ).id,
        String,
      );
  for (const batch of batches.slice(1)) {
    await octokit.rest.checks.update({ owner, repo, check_run_id: id, output: output(batch) });
  }
  return { id };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
