import type { Ledger } from "../../domain/budget/budget.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import { infrastructureSign } from "../../domain/review/infrastructure-sign.js";
import { refreshDashboard } from "../dashboard/refresh-dashboard.js";
import type { CheckResult, Forge, LoadedRun } from "../forge.js";
import { SWARM_CHECK } from "../swarm-check.js";
import { failingOutsideChange } from "./failing-outside-change.js";
import { FAILED } from "./stop-revising.js";

/** What the triage settled by itself: a re-run under way, or failures that are all the base branch's. */
export type TriageOutcome =
  | { kind: "waiting"; pending: string[] }
  | { kind: "rerunning"; checks: string[] }
  | { kind: "pre-existing"; checks: string[] };

export type Triage =
  | { kind: "settled"; outcome: TriageOutcome }
  /** The failures left to revise (none: every check passes), and what to say of a re-run or the base. */
  | { kind: "revise"; failed: CheckResult[]; note: string | null };

const isFailed = (c: CheckResult) => c.conclusion !== null && FAILED.has(c.conclusion);
const names = (checks: readonly { name: string }[]) => checks.map((c) => `\`${c.name}\``).join(", ");
const identity = (a: { path: string; message: string }) => `${a.path}\n${a.message.trim()}`;

/**
 * Before anyone revises on red. A failed check that also fails on the base branch's latest commit (with the
 * same failures, where it names any) is pre-existing: reported, never revised; when every failure is, the PR
 * is made ready with a note, and the run ends not verified (never green). Failures that look like
 * infrastructure or lie in tests the change does not reach get one re-run of their jobs per head commit,
 * and the review waits for it. Whatever is left is revised, as before.
 */
export async function triageFailures(input: {
  forge: Forge;
  config: RepoConfig;
  run: LoadedRun;
  headSha: string;
  checks: CheckResult[];
  ledger: Ledger | null;
  /** The files the PR changes (read from its diff only when needed). */
  changedFiles: () => Promise<ReadonlySet<string>>;
}): Promise<Triage> {
  const { forge, run, headSha, checks } = input;
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const short = headSha.slice(0, 7);
  const failed = checks.filter(isFailed);

  let note: string | null = null;
  const earlier = run.meta.reruns?.find((r) => r.sha === headSha);
  if (earlier) {
    const again = checks.filter((c) => earlier.checks.includes(c.name));
    // Until the re-run's check runs replace the failed ones, a late event about them changes nothing.
    if (again.some((c) => earlier.ids.includes(c.id)))
      return { kind: "settled", outcome: { kind: "waiting", pending: earlier.checks } };
    const stillFailing = again.filter(isFailed);
    const showed =
      stillFailing.length === 0
        ? `it passed on the re-run, so the first failure was flaky and nothing was revised.`
        : `${names(stillFailing)} failed again on the re-run, so swarm treats ${stillFailing.length === 1 ? "it" : "them"} as real and reviews the failure.`;
    await forge.ensureComment(pr.number, `rerun-${headSha}`, rerunComment(short, earlier, showed));
    note =
      stillFailing.length === 0
        ? `after a re-run of ${names(again)}, which failed once and then passed`
        : `${names(stillFailing)} failed again when re-run`;
  }
  if (failed.length === 0) return { kind: "revise", failed: [], note };

  const baseBranch = input.config.baseBranch ?? (await forge.defaultBranch());
  const onBase = await forge.listCheckResults(baseBranch).catch(() => [] as CheckResult[]);
  const preExisting = failed.filter((c) => redOnBase(c, onBase));
  const rest = failed.filter((c) => !preExisting.includes(c));
  if (preExisting.length > 0) {
    await forge.ensureComment(
      pr.number,
      `pre-existing-${headSha}`,
      [
        `**Pre-existing failures on \`${short}\`:** ${names(preExisting)} ${preExisting.length === 1 ? "fails" : "fail"} on the latest commit of \`${baseBranch}\` too, with the same failures, so ${preExisting.length === 1 ? "it is" : "they are"} not this change's doing and swarm does not revise for ${preExisting.length === 1 ? "it" : "them"}.`,
        "",
        ...preExisting.map((c) => `- **${c.name}**: ${c.conclusion}${c.title ? ` — ${c.title}` : ""}`),
        "",
        rest.length === 0
          ? `Every other check passes, so the pull request is ready for review. **Fix:** once \`${baseBranch}\` is fixed, re-run the checks here and comment \`/swarm retry\` for swarm to review it again.`
          : `The other failures (${names(rest)}) are reviewed as usual.`,
      ].join("\n"),
    );
    note = [
      note,
      `${names(preExisting)} also ${preExisting.length === 1 ? "fails" : "fail"} on \`${baseBranch}\` (pre-existing, not revised)`,
    ]
      .filter(Boolean)
      .join("; ");
  }
  if (rest.length === 0) return allPreExisting(input, preExisting, baseBranch, note);

  if (!earlier) {
    const why = await whyFlaky(input, rest);
    if (why.every((w) => w !== null)) {
      const asked = await forge.rerunFailedJobs(rest);
      if (asked.rerun.length === rest.length) {
        const record = {
          sha: headSha,
          checks: rest.map((c) => c.name),
          ids: rest.map((c) => c.id),
          why: why as string[],
        };
        await forge.ensureComment(
          pr.number,
          `rerun-${headSha}`,
          rerunComment(short, record, "waiting for the re-run's results."),
        );
        await forge.upsertCheckRun({
          name: SWARM_CHECK,
          headSha,
          status: "in_progress",
          title: `Re-running ${rest.map((c) => c.name).join(", ")}: looks flaky`,
          summary: rest.map((c, i) => `${c.name}: ${why[i]}`).join("\n"),
        });
        await refreshDashboard(forge, run.spec, {
          headline: `Re-running ${names(rest)} on \`${short}\` once before revising: ${why.join("; ")}.`,
          ledger: input.ledger,
          meta: { reruns: [...(run.meta.reruns ?? []), record].slice(-10) },
        });
        return { kind: "settled", outcome: { kind: "rerunning", checks: record.checks } };
      }
    }
  }
  return { kind: "revise", failed: rest, note };
}

/**
 * The same check failed on the base too, and every failure it names here is one it names there. A lost
 * runner or a network error, here or there, says nothing about the base's code: that is re-run instead.
 */
function redOnBase(check: CheckResult, onBase: readonly CheckResult[]): boolean {
  const there = onBase.find((b) => b.name === check.name && b.status === "completed");
  if (!there || !isFailed(there)) return false;
  if (infrastructureSign(check) || infrastructureSign(there)) return false;
  const known = new Set(there.annotations.map(identity));
  return check.annotations.every((a) => known.has(identity(a)));
}

/** For each failed check, why it may be flaky, or null when it may be the change's doing. */
async function whyFlaky(
  input: Parameters<typeof triageFailures>[0],
  failed: readonly CheckResult[],
): Promise<(string | null)[]> {
  let head: { files: ReadonlySet<string>; read: (p: string) => Promise<string | null> } | undefined;
  let changed: ReadonlySet<string> | undefined;
  const why: (string | null)[] = [];
  for (const check of failed) {
    const sign = infrastructureSign(check);
    if (sign) {
      why.push(`\`${check.name}\` looks like an infrastructure fault (${sign})`);
      continue;
    }
    head ??= {
      files: new Set(await input.forge.listFiles(input.headSha)),
      read: (p) => input.forge.readFile(input.headSha, p),
    };
    // Without the diff nothing can be said about what the change reaches: revise, as without triage.
    changed ??= await input.changedFiles().catch(() => undefined);
    if (!changed) return [...why, null];
    const outside = await failingOutsideChange(check, changed, head);
    // One failure that may be the change's is enough to revise: the rest need not be looked at.
    if (!outside) return [...why, null];
    why.push(`\`${check.name}\`: ${outside}`);
  }
  return why;
}

function rerunComment(short: string, record: { checks: string[]; why: string[] }, showed: string): string {
  return [
    `**Re-ran ${record.checks.map((c) => `\`${c}\``).join(", ")} on \`${short}\` before revising**, once, because the failure looks flaky:`,
    "",
    ...record.why.map((w) => `- ${w}`),
    "",
    `What it showed: ${showed}`,
  ].join("\n");
}

/** Every failure is the base branch's: ready for review with a note, swarm's check neutral, not green. */
async function allPreExisting(
  input: Parameters<typeof triageFailures>[0],
  preExisting: readonly CheckResult[],
  baseBranch: string,
  note: string | null,
): Promise<Triage> {
  const { forge, run, headSha } = input;
  const pr = run.pullRequest as NonNullable<LoadedRun["pullRequest"]>;
  const short = headSha.slice(0, 7);
  await forge.upsertCheckRun({
    name: SWARM_CHECK,
    headSha,
    status: "completed",
    conclusion: "neutral",
    title: `Passes but for checks that fail on ${baseBranch} too`,
    summary: `${input.checks.map((c) => `${c.name}: ${c.conclusion}`).join("\n")}\n\n${preExisting.map((c) => c.name).join(", ")} also fail${preExisting.length === 1 ? "s" : ""} on the latest commit of ${baseBranch}: pre-existing, not revised. Every other check passes.`,
  });
  if (pr.draft) await forge.markReadyForReview(pr);
  await forge.requestReviewers(pr.number, input.config.pullRequest.reviewers);
  await refreshDashboard(forge, run.spec, {
    status: "unverified",
    headline: `Ready for review but not green: ${names(preExisting)} ${preExisting.length === 1 ? "fails" : "fail"} on \`${baseBranch}\` too (pre-existing, not revised); every other check passes on \`${short}\`${note?.startsWith("after") ? ` ${note.split(";")[0]}` : ""}.`,
    ledger: input.ledger,
    // Not recorded as reviewed: once the base is fixed and the checks re-run, `/swarm retry` reviews it again.
  });
  return { kind: "settled", outcome: { kind: "pre-existing", checks: preExisting.map((c) => c.name) } };
}
