import { findIntegrationBranch } from "../../domain/branch/branch-names.js";
import { type Ledger, spentBudget } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import { findWeakenedTests, type WeakenedFinding } from "../../domain/review/find-weakened-tests.js";
import { isTestFile } from "../../domain/review/is-test-file.js";
import { parseDiff } from "../../domain/review/parse-diff.js";
import type { Finding } from "../../domain/review/review.js";
import type { TestFacts } from "../../domain/review/test-facts.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { CheckResult, Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";
import { type Rerun, sendRevisions } from "./send-revisions.js";

export type WeakenedTestsDeps = {
  forge: Forge;
  config: RepoConfig;
  /** The PR's diff; with `wholeFiles`, each changed file whole, so tests are counted on whole files. */
  diff: (base: string, head: string, options?: { wholeFiles?: boolean }) => Promise<string>;
  rerun: Rerun;
  /** Reads a test's cases and assertions from its syntax tree; without it (or null), line patterns do. */
  testFacts?: (path: string, text: string) => Promise<TestFacts | null>;
};

/** How the review ends when weakened tests stand on a green head, or stop the run. */
export type WeakenedOutcome =
  | { kind: "revising"; round: number; nodes: string[] }
  | { kind: "stopped"; reason: string };

/**
 * Checks the PR's whole diff for weakened tests on every review of a head, red or green. Findings send
 * the owning nodes back (on green, as a round of their own; on red, returned for the reviewer's round), so
 * the PR is never marked ready while one stands; a node caught a second time (on another head), or a
 * finding no node owns, stops the run with a comment that names it.
 */
export async function checkWeakenedTests(
  input: {
    run: LoadedRun;
    headSha: string;
    /** The failed checks: none means the head is otherwise green. */
    failed: readonly CheckResult[];
    ledger: Ledger | null;
    /** The spec issue's title and body (read once per review). */
    spec: () => Promise<{ title: string; body: string }>;
  },
  deps: WeakenedTestsDeps,
): Promise<{ outcome?: WeakenedOutcome; findings: Finding[] }> {
  const { forge, config } = deps;
  const { run, headSha } = input;
  const base = config.baseBranch ?? (await forge.defaultBranch());
  const files = parseDiff(
    await deps.diff(base, findIntegrationBranch(Object.keys(run.branches)), { wholeFiles: true }),
  );
  const parsed = new Map<string, TestFacts | null>();
  if (deps.testFacts)
    for (const file of files)
      for (const path of [file.oldPath, file.newPath])
        if (path && isTestFile(path))
          for (const hunk of file.hunks)
            for (const text of [hunk.oldText, hunk.newText])
              parsed.set(`${path}\0${text}`, await deps.testFacts(path, text));
  const spec = await input.spec();
  const weakened = findWeakenedTests({
    files,
    plan: run.plan,
    spec: `${spec.title}\n${spec.body}`,
    parsed: (path, text) => parsed.get(`${path}\0${text}`) ?? null,
  });
  if (weakened.length === 0) return { findings: [] };

  const caught = run.meta.weakened ?? {};
  const again = weakened.filter((f) => f.node && (caught[f.node] ?? []).some((sha) => sha !== headSha));
  const unowned = weakened.filter((f) => !f.node);
  const stop = (why: string, shown: readonly WeakenedFinding[]) =>
    stopOnWeakened(forge, run, headSha, why, shown, input.ledger).then((outcome) => ({
      outcome,
      findings: [],
    }));
  if (again.length > 0) {
    const nodes = [...new Set(again.map((f) => `\`${f.node}\``))].join(", ");
    return stop(`${nodes} weakened the tests again after being sent back for it`, again);
  }
  if (unowned.length > 0) return stop("the diff weakens tests in files that no node owns", unowned);

  // Recorded before anything is sent, so the next head's review knows it was the first time.
  const record = { ...caught };
  for (const f of weakened)
    if (f.node && !record[f.node]?.includes(headSha)) record[f.node] = [...(record[f.node] ?? []), headSha];
  await refreshDashboard(forge, run.spec, { meta: { weakened: record } });
  const findings = weakened.map((f) => ({
    path: f.path,
    line: f.line,
    message: `Weakened tests (${f.kind}): ${f.message}`,
    node: f.node ?? "",
    interfaceChanged: false,
  }));
  if (input.failed.length > 0) return { findings };

  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const round = (run.meta.round ?? 0) + 1;
  const ledger = input.ledger;
  const overBudget = spentBudget(ledger, config.limits);
  if (round > config.limits.maxRevisionRounds || overBudget)
    return stop(
      overBudget
        ? "the tests are weakened and the run has spent its budget"
        : `the tests are weakened and the run reached the revision limit (${config.limits.maxRevisionRounds}, \`limits.maxRevisionRounds\`)`,
      weakened,
    );
  const summary = `Weakened tests: ${weakened.map((f) => `\`${f.path}\` (${f.kind})`).join(", ")}. The checks pass, but only because tests were weakened; the nodes that did it are sent back to restore them and fix the code instead.`;
  const sent = await sendRevisions(
    forge,
    {
      runId: run.meta.runId ?? "",
      spec: run.spec,
      plan: run.plan,
      pullNumber: pr.number,
      headSha,
      diff: "",
      review: { summary, findings },
      key: `weakened-${headSha}`,
      heading: `Weakened tests (revision round ${round} of ${config.limits.maxRevisionRounds})`,
      round,
      tried: run.meta.tried ?? [],
      standing: weakened.map(
        (f) => `\`${f.path}${f.line ? `:${f.line}` : ""}\` (weakened tests, ${f.kind}): ${f.message}`,
      ),
      ledger,
      run,
    },
    deps.rerun,
  );
  const nodes = Object.keys(sent.targets);
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: `Weakened tests; revising ${nodes.join(", ")}`,
    summary: `${summary}\n\n${weakened.map((f) => `- ${f.path}${f.line ? `:${f.line}` : ""}: ${f.message}`).join("\n")}`,
  });
  return { outcome: { kind: "revising", round, nodes }, findings: [] };
}

/** Ends the run on weakened tests: one comment naming them, swarm's check failed, the dashboard failed. */
async function stopOnWeakened(
  forge: Forge,
  run: LoadedRun,
  headSha: string,
  why: string,
  findings: readonly WeakenedFinding[],
  ledger: Ledger | null,
): Promise<WeakenedOutcome> {
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const listed = findings.map(
    (f) =>
      `- \`${f.path}${f.line ? `:${f.line}` : ""}\` (${f.kind}${f.node ? `, node \`${f.node}\`` : ""}): ${f.message}`,
  );
  await forge.ensureComment(
    pr.number,
    `stopped-${run.meta.runId}`,
    [
      `**swarm stopped on \`${headSha.slice(0, 7)}\`: ${why}.**`,
      "",
      "Weakened tests:",
      ...listed,
      "",
      "What was tried:",
      ...((run.meta.tried ?? []).length > 0
        ? (run.meta.tried ?? []).map((t) => `- ${t}`)
        : ["- (no revision round)"]),
      "",
      '**Fix:** restore the tests on this branch yourself, or comment `/swarm revise <what to change>`; if the spec means these tests to change, say so in it (for example "remove the test X") and comment `/swarm retry`.',
    ].join("\n"),
  );
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "failure",
    title: "Weakened tests; swarm stopped",
    summary: `Weakened tests: swarm stopped because ${why}.\n\n${listed.join("\n")}`,
  });
  await refreshDashboard(forge, run.spec, {
    status: "failed",
    headline: `Stopped: ${why}. The pull request's comment names the weakened tests.`,
    ledger,
    meta: { reviewedSha: headSha },
  });
  return { kind: "stopped", reason: why };
}
