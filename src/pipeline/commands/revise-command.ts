import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import type { Ledger } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { Review } from "../../domain/review/review.js";
import type { ModelClient } from "../../model/model-client.js";
import type { Forge, LoadedRun } from "../forge.js";
import type { CommandJob } from "../jobs.js";
import { readRepoConfig } from "../read-repo-config.js";
import { runReviewer } from "../review/run-reviewer.js";
import { type Rerun, sendRevisions } from "../review/send-revisions.js";
import { runOfCommand } from "./run-of-command.js";

export type ReviseDeps = {
  rerun: Rerun;
  model: (config: RepoConfig, runId: string) => Promise<ModelClient>;
  diff: (base: string, head: string) => Promise<string>;
  ledger: (runId: string) => Promise<Ledger | null>;
  /** Takes up the run in the scheduler if Redis lost it (a finished run, say), so the revision has a run. */
  reconcile?: (run: LoadedRun) => Promise<unknown>;
};

const REVISABLE = new Set(["reviewing", "revising", "green", "unverified", "failed"]);

/**
 * `/swarm revise <feedback>` (and a review that requests changes): on a line of the diff it goes to the
 * node that owns the file; anywhere else the reviewer turns it into findings for the nodes it concerns.
 * Returns the answer for the person who asked.
 */
export async function reviseCommand(job: CommandJob, forge: Forge, deps: ReviseDeps): Promise<string> {
  const found = await runOfCommand(forge, job.issue);
  if (!found)
    return "swarm has no run here to revise. `/swarm revise` works on a swarm pull request or its spec issue.";
  const { spec, run } = found;
  const runId = run.meta.runId as string;
  const pr = run.pullRequest;
  if (!pr || !REVISABLE.has(run.meta.status))
    return `The run is ${run.meta.status}, so there is nothing to revise yet: ask again once its pull request is open.`;
  await deps.reconcile?.(run);
  const feedback = job.command.verb === "revise" ? job.command.args.trim() : "";
  const lines = job.at?.kind === "review" ? await forge.listReviewComments(pr.number, job.commentId) : [];
  if (!feedback && lines.length === 0)
    return "Say what to change: `/swarm revise <what to change>`, on the pull request or on a line of its diff.";

  const defaultBranch = await forge.defaultBranch();
  const config = await readRepoConfig(forge, defaultBranch, spec);
  const base = config.baseBranch ?? defaultBranch;
  const head = findIntegrationBranch(Object.keys(run.branches));
  const diff = await deps.diff(base, head);
  const asker = `@${job.sender.login}`;
  let review: Review;
  if (job.at?.kind === "review-line") {
    review = {
      summary: `${asker} asked for a change on \`${job.at.path}\`.`,
      findings: [
        { path: job.at.path, line: job.at.line ?? 0, message: feedback, node: "", interfaceChanged: false },
      ],
    };
  } else if (lines.length > 0) {
    review = {
      summary: feedback || `${asker} requested changes.`,
      findings: lines.map((l) => ({
        path: l.path,
        line: l.line,
        message: l.body,
        node: "",
        interfaceChanged: false,
      })),
    };
  } else {
    const issue = await forge.readIssue(spec);
    review = await runReviewer(await deps.model(config, runId), config, {
      spec: { title: issue.title, body: issue.body ?? "" },
      plan: run.plan,
      diff,
      failures: "",
      head: { sha: pr.headSha, forge },
      request: { author: job.sender.login, text: feedback },
      round: run.meta.round ?? 0,
    });
  }
  const sent = await sendRevisions(
    forge,
    {
      runId,
      spec,
      plan: run.plan,
      pullNumber: pr.number,
      headSha: pr.headSha,
      diff,
      review,
      key: `revise-${job.commentId}`,
      heading: `${asker} asked for changes`,
      round: run.meta.round ?? 0,
      tried: run.meta.tried ?? [],
      ledger: await deps.ledger(runId),
      announce: job.at?.kind !== "review-line",
      // The person's line comments: each thread gets swarm's reply once a pushed commit addresses it.
      askedIn:
        job.at?.kind === "review-line" ? [job.commentId] : lines.length > 0 ? lines.map((l) => l.id) : [],
      asker: job.sender.login,
      run,
    },
    deps.rerun,
  );
  const nodes = Object.keys(sent.targets);
  return nodes.length > 0
    ? `Sent to ${nodes.map((n) => `\`${n}\``).join(", ")}; the pull request updates when ${nodes.length === 1 ? "it is" : "they are"} done.`
    : "No node owns what this asks to change, so nothing was sent back. Name the files, or change them in the pull request yourself.";
}
