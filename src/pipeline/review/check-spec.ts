import { type Ledger, spentBudget } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { Finding, SpecFinding } from "../../domain/review/review.js";
import type { ModelClient } from "../../model/model-client.js";
import type { Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";
import { couldNotReview } from "./could-not-review.js";
import { runSpecCheck } from "./run-reviewer.js";
import { placeFindings, type Rerun, sendRevisions } from "./send-revisions.js";
import { stopRun } from "./stop-revising.js";

export type SpecCheckDeps = {
  forge: Forge;
  config: RepoConfig;
  model: (config: RepoConfig, runId: string) => Promise<ModelClient>;
  rerun: Rerun;
};

/** A check that let the head through (with what to say of it), or how the review ends instead. */
export type SpecCheck =
  | { passed: true; said: string | null }
  | {
      passed: false;
      outcome: { kind: "revising"; round: number; nodes: string[] } | { kind: "stopped"; reason: string };
    };

/**
 * The last step before a green PR is marked ready: the reviewer checks the change against the spec's
 * acceptance criteria and the plan's goals. A gap the spec requires sends the owning node back, as a
 * revision round of its own (the round limit and budget hold); notes go out as a comment review and do not
 * hold the PR back. Off with `validation.specCheck: false`.
 */
export async function checkAgainstSpec(
  input: {
    run: LoadedRun;
    headSha: string;
    ledger: Ledger | null;
    diff: () => Promise<string>;
    /** The spec issue's title and body (read once per review). */
    spec: () => Promise<{ title: string; body: string }>;
  },
  deps: SpecCheckDeps,
): Promise<SpecCheck> {
  const { forge, config } = deps;
  const { run, headSha, ledger } = input;
  if (!config.validation.specCheck) return { passed: true, said: null };
  if (spentBudget(ledger, config.limits))
    return { passed: true, said: "not checked against the spec, as the run has spent its budget" };
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const round = (run.meta.round ?? 0) + 1;
  let diff: string;
  let findings: SpecFinding[];
  let summary: string;
  try {
    diff = await input.diff();
    ({ summary, findings } = await runSpecCheck(await deps.model(config, run.meta.runId ?? ""), config, {
      spec: await input.spec(),
      plan: run.plan,
      diff,
      head: { sha: headSha, forge },
      round,
    }));
  } catch (error) {
    return { passed: false, outcome: await couldNotReview(forge, run, headSha, error, ledger) };
  }
  const plain = ({ blocking: _, ...finding }: SpecFinding): Finding => finding;
  const gaps = findings.filter((f) => f.blocking).map(plain);
  const notes = findings.filter((f) => !f.blocking).map(plain);
  const listed = (fs: readonly Finding[]) =>
    fs.map((f) => `- \`${f.path}${f.line > 0 ? `:${f.line}` : ""}\`: ${f.message}`);

  if (gaps.length === 0) {
    if (notes.length === 0) return { passed: true, said: "checked against the spec" };
    const { comments, inBody } = placeFindings(diff, notes);
    await forge.postReview({
      pullNumber: pr.number,
      commitSha: headSha,
      key: `spec-${headSha}`,
      body: [
        "**Checked against the spec: the change does what it asks.** The reviewer's notes below are for you; none of them holds the pull request back.",
        "",
        summary,
        ...(inBody.length > 0 ? ["", ...inBody] : []),
      ].join("\n"),
      comments,
    });
    const n = `${notes.length} note${notes.length === 1 ? "" : "s"}`;
    return { passed: true, said: `checked against the spec, with ${n} in a review` };
  }

  const max = config.limits.maxRevisionRounds;
  const stop = (why: string) =>
    stopRun(forge, run, headSha, {
      what: "the checks pass but the change does not do all the spec asks",
      heading: "What the spec asks and the change does not do:",
      items: listed(gaps),
      title: "The spec is not met; swarm stopped",
      tried: run.meta.tried ?? [],
      why,
      ledger,
      fix: "make the change on this branch yourself, or comment `/swarm revise <what to change>` with what is missing (it starts a new round with your words). If the spec asks for more than it should, review and merge the pull request as it is.",
    }).then((outcome) => ({ passed: false as const, outcome }));
  if (round > max)
    return stop(
      `it reached the revision limit (${max} round${max === 1 ? "" : "s"}, \`limits.maxRevisionRounds\`)`,
    );
  const sent = await sendRevisions(
    forge,
    {
      runId: run.meta.runId ?? "",
      spec: run.spec,
      plan: run.plan,
      pullNumber: pr.number,
      headSha,
      diff,
      review: {
        summary: [summary, ...(notes.length > 0 ? ["", "Notes, not blocking:", ...listed(notes)] : [])].join(
          "\n",
        ),
        findings: gaps,
      },
      key: `spec-${headSha}`,
      heading: `The checks pass, but the change does not do all the spec asks (revision round ${round} of ${max})`,
      round,
      tried: run.meta.tried ?? [],
      standing: listed(gaps).map((l) => l.slice(2)),
      ledger,
      run,
    },
    deps.rerun,
  );
  const nodes = Object.keys(sent.targets);
  if (nodes.length === 0) return stop("no node owns the files of what is missing");
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: `The spec is not met; revising ${nodes.join(", ")}`,
    summary: `The repository's checks pass, but the reviewer found what the spec asks and the change does not do:\n\n${listed(gaps).join("\n")}\n\nRound ${round}: swarm sent ${nodes.join(", ")} back; a new commit follows.`,
  });
  return { passed: false, outcome: { kind: "revising", round, nodes } };
}
