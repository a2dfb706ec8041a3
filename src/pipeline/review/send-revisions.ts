import type { Ledger } from "../../domain/budget/budget.js";
import type { Plan } from "../../domain/plan/plan.js";
import { commentableLines } from "../../domain/review/diff-lines.js";
import { assignFindings, type Finding, type Review, revisionTargets } from "../../domain/review/review.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { Forge, LoadedRun, ReviewComment } from "../forge.js";
import { markNodesPending } from "../mark-nodes-pending.js";
import type { Scheduler } from "../scheduler.js";
import { recordThreads, type ThreadRecord } from "./review-threads.js";

/** Runs nodes again with their feedback, once per key (the scheduler's `rerun`). */
export type Rerun = {
  (runId: string, key: string, nodes: Readonly<Record<string, string | null>>): Promise<boolean>;
  /** Whether the key was used: a job retried after its nodes ran again must not mark them pending. */
  used?: (runId: string, key: string) => Promise<boolean>;
};

/** The scheduler's rerun, with its record of used keys. */
export const rerunOf = (scheduler: Pick<Scheduler, "rerun" | "rerunUsed">): Rerun =>
  Object.assign(
    (runId: string, key: string, nodes: Readonly<Record<string, string | null>>) =>
      scheduler.rerun(runId, key, nodes),
    { used: (runId: string, key: string) => scheduler.rerunUsed(runId, key) },
  );

/**
 * Turns a review into revisions: one PR review (a summary, and line comments where the diff lets GitHub
 * place them), the nodes at fault (and the dependents of a changed interface) sent back with their
 * findings, and the dashboard's record of the round. Each step is keyed, so a retried job repeats nothing.
 */
export async function sendRevisions(
  forge: Forge,
  input: {
    runId: string;
    spec: number;
    plan: Plan;
    pullNumber: number;
    headSha: string;
    diff: string;
    review: Review;
    /** Keys the review and the rerun (the head commit and round, or the comment that asked). */
    key: string;
    heading: string;
    round: number;
    tried: readonly string[];
    /** The identities of the failures this round is sent to fix (none for a person's revision). */
    targeted?: readonly string[];
    /** What else this round is sent to fix (spec gaps, weakened tests), one line each: see `standing`. */
    standing?: readonly string[];
    ledger: Ledger | null;
    /** Post the review on the PR (not when a person's line comment already says it all). */
    announce?: boolean;
    /** By finding: the person's line comment that asked for it, whose thread is closed once it is addressed. */
    askedIn?: readonly (number | undefined)[];
    /** Who asked (a person's revision), for the replies on those threads. */
    asker?: string;
    /** The run as GitHub shows it: each revised node's sub-issue records its revision before it starts. */
    run: Pick<LoadedRun, "nodeIssues" | "nodeBranches" | "branches" | "summaries" | "handoffs">;
  },
  rerun: Rerun,
): Promise<{ targets: Record<string, string>; unassigned: number }> {
  const { byNode, unassigned } = assignFindings(input.plan, input.review.findings);
  const targets = revisionTargets(input.plan, byNode);
  const ownerOf = (f: Finding) => [...byNode].find(([, fs]) => fs.includes(f))?.[0];
  const {
    comments,
    owners: commentOwners,
    inBody,
  } = placeFindings(input.diff, input.review.findings, ownerOf);
  const threads: Omit<ThreadRecord, "round" | "sha">[] = input.review.findings.flatMap((f, i) => {
    const owner = ownerOf(f);
    const asked = input.askedIn?.[i];
    return owner && asked
      ? [{ comment: asked, node: owner, ...(input.asker ? { asker: input.asker } : {}) }]
      : [];
  });
  const nodes = Object.keys(targets);
  let posted: { commentIds: (number | null)[] } | null = null;
  if (input.announce !== false)
    posted = await forge.postReview({
      pullNumber: input.pullNumber,
      commitSha: input.headSha,
      key: input.key,
      body: [
        `**${input.heading}**`,
        "",
        input.review.summary,
        ...(inBody.length > 0 ? ["", ...inBody] : []),
        "",
        nodes.length > 0
          ? `Revising ${nodes.map((n) => `\`${n}\``).join(", ")}; the other nodes stay as they are.`
          : "No node owns what was found, so nothing was sent back.",
      ].join("\n"),
      comments,
    });
  for (const [i, id] of (posted?.commentIds ?? []).entries()) {
    const node = commentOwners[i];
    if (id && node) threads.push({ comment: id, node, ...(input.asker ? { asker: input.asker } : {}) });
  }
  if (nodes.length === 0) return { targets, unassigned: unassigned.length };
  // Sent before (a redelivered request, a job retried after its rerun): the nodes may have finished since,
  // and the rerun would not start them again, so marking them pending or the run revising would strand it.
  if (await rerun.used?.(input.runId, input.key)) return { targets, unassigned: unassigned.length };
  // Recorded on GitHub first, so a run rebuilt there (Redis lost) still revises them, with their feedback.
  await markNodesPending(forge, input.spec, { ...input.run, plan: input.plan }, targets);
  const headline = `${input.heading}: revising ${nodes.map((n) => `\`${n}\``).join(", ")}; the pull request updates when they are done.`;
  // After the nodes are marked pending and before they run, so the integration that merges them finds it.
  try {
    // After the nodes are marked pending and before they run, so the integration that merges them finds it.
    if (threads.length > 0) await recordThreads(forge, input, headline, threads);
    await rerun(input.runId, input.key, targets);
    const line = `Round ${input.round}: revised ${nodes.map((n) => `\`${n}\``).join(", ")} (${input.review.findings.length} finding${input.review.findings.length === 1 ? "" : "s"}).`;
    // After the rerun, so a retried job revises; guarded, since the revised nodes may be merged (and even
    // reviewed green) before this write lands, and it must not put the run back to "revising".
    await refreshDashboard(forge, input.spec, {
      ifHead: input.headSha,
      status: "revising",
      headline,
      ledger: input.ledger,
      meta: {
        round: input.round,
        reviewedSha: input.headSha,
        tried: [...input.tried, line],
        targeted: [...(input.targeted ?? [])],
        standing: [...(input.standing ?? [])],
      },
    });
  } finally {
    // The threads' record (deferred) reaches GitHub with that write; if anything before it failed, here.
    await forge.settleDashboard(input.spec).catch(() => undefined);
  }
  return { targets, unassigned: unassigned.length };
}

/**
 * Findings as a review shows them: a line comment where the diff lets GitHub place one, else a line of the
 * review's body. A comment names the node it was sent to, when it was (`owners`, by comment).
 */
export function placeFindings(
  diff: string,
  findings: readonly Finding[],
  ownerOf: (finding: Finding) => string | undefined = () => undefined,
): { comments: ReviewComment[]; owners: (string | undefined)[]; inBody: string[] } {
  const placeable = commentableLines(diff);
  const comments: ReviewComment[] = [];
  const owners: (string | undefined)[] = [];
  const inBody: string[] = [];
  for (const f of findings) {
    const owner = ownerOf(f);
    const text = `${f.message}${owner ? `\n\n<sub>Sent to node \`${owner}\`.</sub>` : ""}`;
    if (f.line > 0 && placeable.get(f.path)?.has(f.line)) {
      comments.push({ path: f.path, line: f.line, body: text });
      owners.push(owner);
    } else inBody.push(`- \`${f.path}${f.line > 0 ? `:${f.line}` : ""}\`: ${f.message}`);
  }
  return { comments, owners, inBody };
}
