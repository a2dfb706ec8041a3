import { SwarmError } from "../../domain/errors.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import type { NodeStatus } from "../../domain/state/node-status.js";
import type { IssueRef } from "../../pipeline/forge.js";
import { type GitHubContext, issueRef, NODE_LABEL } from "./context.js";
import { createNodeIssueGraphql } from "./create-node-issue-graphql.js";
import { alreadyExists, createOnce, NO_RETRY } from "./create-once.js";
import { MAX_SUB_ISSUES } from "./limits.js";
import { noBlockersYet } from "./link-dependency.js";
import { nodeIssueBody } from "./node-issue-body.js";
import { recording, specKey } from "./run-memo.js";
import { findNodeIssue, scanNodes } from "./scan-nodes.js";

export async function ensureNodeIssue(
  ctx: GitHubContext,
  spec: number,
  node: PlanNode,
  status: NodeStatus,
  branch: string,
): Promise<IssueRef> {
  const { octokit, owner, repo } = ctx;
  const scan = await scanNodes(ctx, spec);
  let found = scan.byNode.get(node.id);
  if (!found) {
    if (scan.subIssueIds.size >= MAX_SUB_ISSUES) {
      throw new SwarmError("too-many-sub-issues", "tell-user", {
        problem: `Issue #${spec} already has ${MAX_SUB_ISSUES} sub-issues, GitHub's limit, so node "${node.id}" cannot get one.`,
        fix: "Lower limits.maxNodes in .github/swarm.yml, or remove sub-issues that are not swarm's.",
      });
    }
    let fresh = true;
    let filed = false;
    const fields = { title: `[${node.id}] ${node.title}`, body: nodeIssueBody(spec, node, status, branch) };
    // Through GraphQL, made and filed under its spec in one request; through REST (GraphQL off, or refusing
    // it), linked below.
    const graphql = ctx.rebuildWith !== "rest";
    found = await recording(
      ctx.memo,
      specKey(spec),
      `node:${node.id}`,
      () =>
        createOnce(
          async () => {
            const made = graphql ? await createNodeIssueGraphql(ctx, spec, fields) : null;
            if (made) {
              filed = true;
              return made;
            }
            const { data } = await octokit.rest.issues.create({
              owner,
              repo,
              ...fields,
              labels: [NODE_LABEL],
              ...NO_RETRY,
            });
            return { ...issueRef(data), body: data.body ?? "", open: true };
          },
          async () => {
            fresh = false;
            return findNodeIssue(ctx, spec, node.id);
          },
        ),
      (made) => JSON.stringify(made),
    );
    scan.byNode.set(node.id, found);
    if (fresh && filed) {
      scan.subIssueIds.add(found.id);
      await ctx.memo.write(specKey(spec), { [`sub:${found.id}`]: "1" });
    }
    if (fresh) await noBlockersYet(ctx, found.number);
  }
  if (!scan.subIssueIds.has(found.id)) {
    const id = found.id;
    const linked = async () => {
      const subs = await octokit.paginate(octokit.rest.issues.listSubIssues, {
        owner,
        repo,
        issue_number: spec,
        per_page: 100,
      });
      return subs.some((s) => s.id === id) ? true : null;
    };
    // The sub-issues API takes the issue's id, not its number.
    await recording(
      ctx.memo,
      specKey(spec),
      `sub:${id}`,
      () =>
        createOnce(
          async () =>
            !!(await octokit.rest.issues.addSubIssue({
              owner,
              repo,
              issue_number: spec,
              sub_issue_id: id,
              ...NO_RETRY,
            })),
          linked,
          { exists: alreadyExists },
        ),
      () => "1",
    );
    scan.subIssueIds.add(id);
  }
  return { number: found.number, id: found.id, url: found.url };
}
