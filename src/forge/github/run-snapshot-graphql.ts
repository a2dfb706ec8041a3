import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { PullRequestRef } from "../../pipeline/forge.js";
import { type GitHubContext, NODE_LABEL } from "./context.js";
import type { NodeIds } from "./create-node-issue-graphql.js";
import { dashboardOf } from "./ensure-dashboard-comment.js";
import type { RunReading, RunSnapshot } from "./run-snapshot.js";
import { nodeScanOf } from "./scan-nodes.js";

// What `readRunSnapshotRest` reads in five REST requests (or more, a page each), in one query. Ids are `fullDatabaseId`, the REST
// id: `databaseId` is a 32-bit Int that GitHub's issue and comment ids have outgrown. Node issues are asked
// for newest first, the order REST lists them in, so the first issue of a node is the same one.
const PAGE = "pageInfo { hasNextPage endCursor }";
const ISSUE = "fullDatabaseId number url body state";
// `refPrefix` must be a folder, and names come back without it: `query` narrows to the spec's branches.
const SWARM_REFS = "refs/heads/swarm/";
const PARTS = {
  comments: `comments(first: 100, after: $comments) { ${PAGE} nodes { fullDatabaseId url body } }`,
  subIssues: `subIssues(first: 100, after: $subIssues) { ${PAGE} nodes { ${ISSUE} } }`,
  nodeIssues: `nodeIssues: issues(labels: ["${NODE_LABEL}"], states: [OPEN, CLOSED],
    orderBy: { field: CREATED_AT, direction: DESC }, first: 100, after: $nodeIssues) { ${PAGE} nodes { ${ISSUE} } }`,
  refs: `refs(refPrefix: "${SWARM_REFS}", query: $refQuery, first: 100, after: $refs) { ${PAGE}
    nodes { name target { oid } associatedPullRequests(states: [OPEN], first: 1) {
      nodes { id number url isDraft headRefOid } } } }`,
};
type Part = keyof typeof PARTS;

type Page<T> = { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: T[] };
type IssueNode = { fullDatabaseId: string; number: number; url: string; body: string; state: string };
type CommentNode = { fullDatabaseId: string; url: string; body: string };
type PullNode = { id: string; number: number; url: string; isDraft: boolean; headRefOid: string };
type RefNode = { name: string; target: { oid: string }; associatedPullRequests: { nodes: PullNode[] } };
type Answer = {
  repository: {
    id?: string;
    nodeLabel?: { id: string } | null;
    issue?: { id?: string; comments?: Page<CommentNode>; subIssues?: Page<IssueNode> };
    nodeIssues?: Page<IssueNode>;
    refs?: Page<RefNode> | null;
  };
};

/** The spec issue's own lists; the others are the repository's. */
const onIssue = (part: Part) => part === "comments" || part === "subIssues";

/**
 * The query for the parts still to read, each from its cursor. It declares only the variables it uses, as
 * GitHub requires.
 */
function queryFor(parts: readonly Part[], first: boolean): string {
  const ofIssue = parts.filter(onIssue);
  const vars = [
    "$owner: String!",
    "$name: String!",
    ...(ofIssue.length > 0 ? ["$spec: Int!"] : []),
    ...(parts.includes("refs") ? ["$refQuery: String"] : []),
    ...parts.map((p) => `$${p}: String`),
  ];
  // The first round also asks for the node ids a node issue is created with (see create-node-issue-graphql).
  const ids = first ? "id" : "";
  const issue =
    ofIssue.length > 0 ? `issue(number: $spec) { ${ids} ${ofIssue.map((p) => PARTS[p]).join(" ")} }` : "";
  const ofRepository = [
    ...(first ? [`id nodeLabel: label(name: "${NODE_LABEL}") { id }`] : []),
    ...parts.filter((p) => !onIssue(p)).map((p) => PARTS[p]),
  ];
  return `query(${vars.join(", ")}) { repository(owner: $owner, name: $name) { ${[issue, ...ofRepository].join(" ")} } }`;
}

/**
 * The snapshot through GraphQL: one request while each list fits in a page of 100, then one more per round
 * for just the lists that have more. With no dashboard comment there is no run, and the reading says what
 * there is instead (no node issues or branches, most often), so the run about to start asks GitHub for
 * none of it again; null when that would take more pages.
 */
export async function readRunSnapshotGraphql(ctx: GitHubContext, spec: number): Promise<RunReading | null> {
  const { octokit, owner, repo } = ctx;
  const comments: CommentNode[] = [];
  const subs: IssueNode[] = [];
  const labelled: IssueNode[] = [];
  const refs: RefNode[] = [];
  let cursors = new Map<Part, string | null>([
    ["comments", null],
    ["subIssues", null],
    ["nodeIssues", null],
    ["refs", null],
  ]);
  let dashboard: RunSnapshot["dashboard"] | null = null;
  let ids: NodeIds | undefined;
  while (cursors.size > 0) {
    const parts = [...cursors.keys()];
    const first = ids === undefined && refs.length === 0 && comments.length === 0 && subs.length === 0;
    const answer = await octokit.graphql<Answer>(queryFor(parts, first), {
      owner,
      name: repo,
      ...(parts.some(onIssue) ? { spec } : {}),
      ...(parts.includes("refs") ? { refQuery: `${spec}-` } : {}),
      ...Object.fromEntries(cursors),
    });
    const next = new Map<Part, string | null>();
    const take = <T>(part: Part, page: Page<T> | null | undefined, into: T[]) => {
      if (!page) return;
      into.push(...page.nodes);
      if (page.pageInfo.hasNextPage) next.set(part, page.pageInfo.endCursor);
    };
    const { issue, nodeIssues, refs: refPage } = answer.repository;
    if (answer.repository.id && issue?.id)
      ids = {
        repositoryId: answer.repository.id,
        parentId: issue.id,
        labelId: answer.repository.nodeLabel?.id ?? null,
      };
    if (cursors.has("comments")) take("comments", issue?.comments, comments);
    if (cursors.has("subIssues")) take("subIssues", issue?.subIssues, subs);
    if (cursors.has("nodeIssues")) take("nodeIssues", nodeIssues, labelled);
    if (cursors.has("refs")) take("refs", refPage, refs);
    // The first dashboard comment is the one, so later comments need not be read; without one, nothing else.
    dashboard = dashboardOf(spec, comments.map(restComment));
    if (dashboard) next.delete("comments");
    // No run, and more to read than one page: not worth reading for the run about to start.
    else if (!next.has("comments") && next.size > 0) return null;
    cursors = next;
  }

  const ours = refs.filter((r) => r.name.startsWith(`${spec}-`)); // `query` matches anywhere in the name
  const branches = Object.fromEntries(ours.map((r) => [`swarm/${r.name}`, r.target.oid]));
  const integration = findIntegrationBranch(Object.keys(branches));
  const pr = ours.find((r) => `swarm/${r.name}` === integration)?.associatedPullRequests.nodes[0];
  const pullRequest: PullRequestRef | null = pr
    ? { number: pr.number, url: pr.url, headSha: pr.headRefOid, draft: pr.isDraft, nodeId: pr.id }
    : null;
  return {
    dashboard,
    scan: nodeScanOf(spec, subs.map(restIssue), labelled.map(restIssue)),
    branches,
    pullRequest,
    ...(ids ? { ids } : {}),
  };
}

const restComment = (c: CommentNode) => ({ id: Number(c.fullDatabaseId), html_url: c.url, body: c.body });

const restIssue = (i: IssueNode) => ({
  id: Number(i.fullDatabaseId),
  number: i.number,
  html_url: i.url,
  body: i.body,
  state: i.state === "OPEN" ? "open" : "closed",
});
