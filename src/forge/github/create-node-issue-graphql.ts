import { type GitHubContext, graphqlErrors, NODE_LABEL, type NodeIssue } from "./context.js";
import { NO_RETRY } from "./create-once.js";
import { specKey } from "./run-memo.js";

/**
 * What GraphQL's createIssue needs: node ids, not numbers. Kept in the run's memo once read; the label's is
 * null while the repository has no node label (a rebuild's reading may find the others before it exists).
 */
export type NodeIds = { repositoryId: string; parentId: string; labelId: string | null };
type KnownIds = NodeIds & { labelId: string };

const IDS = `query($owner: String!, $name: String!, $spec: Int!, $label: String!) {
  repository(owner: $owner, name: $name) { id issue(number: $spec) { id } label(name: $label) { id } }
}`;

const CREATE = `mutation($input: CreateIssueInput!) {
  createIssue(input: $input) { issue { fullDatabaseId number url body } }
}`;

/**
 * A node's issue made and filed under its spec in one request (GraphQL's createIssue with `parentIssueId`),
 * where REST needs two (create, then add the sub-issue). The node label is made once per repository if
 * the repository lacks it. Null when GraphQL refuses it (GraphQL's errors come with status 200 and mean
 * nothing was made; an older GitHub Enterprise Server may lack `parentIssueId`): the caller uses REST.
 */
export async function createNodeIssueGraphql(
  ctx: GitHubContext,
  spec: number,
  fields: { title: string; body: string },
): Promise<NodeIssue | null> {
  const create = async (ids: KnownIds) => {
    const { createIssue } = await ctx.octokit.graphql<{
      createIssue: { issue: { fullDatabaseId: string; number: number; url: string; body: string } };
    }>(CREATE, {
      input: {
        repositoryId: ids.repositoryId,
        parentIssueId: ids.parentId,
        labelIds: [ids.labelId],
        title: fields.title,
        body: fields.body,
      },
      // Not sent again by the retry plugin: a 5xx may come after the issue was made (createOnce looks).
      ...NO_RETRY,
    });
    const made = createIssue.issue;
    return {
      number: made.number,
      id: Number(made.fullDatabaseId),
      url: made.url,
      body: made.body,
      open: true,
    };
  };
  try {
    return await create(await idsFor(ctx, spec));
  } catch (error) {
    const errors = graphqlErrors(error);
    if (!errors) throw error;
    // A kept id that no longer resolves (the label deleted, say): read the ids again, once.
    if (errors.some((e) => e.type === "NOT_FOUND")) {
      await ctx.memo.write(specKey(spec), { ids: null });
      try {
        return await create(await idsFor(ctx, spec));
      } catch (again) {
        if (!graphqlErrors(again)) throw again;
        return null;
      }
    }
    return null;
  }
}

async function idsFor(ctx: GitHubContext, spec: number): Promise<KnownIds> {
  const kept = (await ctx.memo.read(specKey(spec))).ids;
  const read = async (): Promise<NodeIds> => {
    const { repository } = await ctx.octokit.graphql<{
      repository: { id: string; issue: { id: string }; label: { id: string } | null };
    }>(IDS, { owner: ctx.owner, name: ctx.repo, spec, label: NODE_LABEL });
    return {
      repositoryId: repository.id,
      parentId: repository.issue.id,
      labelId: repository.label?.id ?? null,
    };
  };
  let ids = kept ? (JSON.parse(kept) as NodeIds) : await read();
  if (!ids.labelId) {
    // The label made here answers with its node id; one another worker made meanwhile is read back.
    const made = await makeLabel(ctx);
    ids = made ? { ...ids, labelId: made } : await read();
  }
  const { labelId } = ids;
  if (!labelId) throw new Error(`the ${NODE_LABEL} label could not be made in ${ctx.owner}/${ctx.repo}`);
  const complete = { ...ids, labelId };
  const text = JSON.stringify(complete);
  if (text !== kept) await ctx.memo.write(specKey(spec), { ids: text });
  return complete;
}

/**
 * The node label, made once per repository: its node id, or null when another worker made it meanwhile
 * (GitHub's 422 "already_exists"), which is no error.
 */
async function makeLabel(ctx: GitHubContext): Promise<string | null> {
  try {
    const { data } = await ctx.octokit.rest.issues.createLabel({
      owner: ctx.owner,
      repo: ctx.repo,
      name: NODE_LABEL,
      color: "ededed",
      description: "A node of a swarm run: one part of the plan, coded on its own branch",
    });
    return data.node_id;
  } catch (error) {
    if ((error as { status?: number }).status !== 422) throw error;
    return null;
  }
}
