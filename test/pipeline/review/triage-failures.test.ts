import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../../src/domain/config/repo-config.js";
import type { Forge, LoadedRun } from "../../../src/pipeline/forge.js";
import { triageFailures } from "../../../src/pipeline/review/triage-failures.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github/server.js";
import type { RepoState } from "../../support/fake-github/state.js";
import { forgeFor } from "../../support/github-rig.js";

// The triage before revising, against the GitHub forge on the fake GitHub playing CI: what is pre-existing,
// what is re-run (once per head), and what is left to revise.

const CHECK =
  'v=$(cat value.txt); [ "$v" = "2" ] || { echo "value.txt:1:1: error: expected 2, found $v"; exit 1; }\n';
const LEGACY = 'echo "legacy.sh:1:1: error: legacy is broken"; exit 1\n';

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.stop());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

let count = 0;
/** A repository whose main fails `test` and `legacy`, and a PR whose head sets value.txt to `value`. */
async function pullWith(value: string, options: { flaky?: boolean } = {}) {
  const repo = fake.createRepo("acme", `triage${++count}`, {
    "check.sh": CHECK,
    "legacy.sh": LEGACY,
    "value.txt": "1\n",
  });
  fake.ci.enable(repo, "sh check.sh", { name: "test", ...(options.flaky ? { flaky: 1 } : {}) });
  fake.ci.enable(repo, "sh legacy.sh", { name: "legacy" });
  fake.ci.pushed(repo, "main");
  await fake.ci.settled();
  const dir = mkdtempSync(join(tmpdir(), "triage-"));
  execFileSync("git", ["clone", "-q", repo.bare, dir]);
  writeFileSync(join(dir, "value.txt"), `${value}\n`);
  const branch = `swarm/${count}-triage/integration`;
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "value"], {
    cwd: dir,
  });
  execFileSync("git", ["push", "-q", repo.bare, `HEAD:refs/heads/${branch}`], { cwd: dir });
  const forge = forgeFor(fake, repo);
  const pr = await forge.ensurePullRequest({ head: branch, base: "main", title: "T", body: "", draft: true });
  await fake.ci.settled();
  const run: LoadedRun = {
    spec: 1,
    meta: { v: 1, spec: 1, runId: "r1", status: "reviewing", summary: "", nodeOrder: [] },
    plan: { summary: "", nodes: [] },
    states: {},
    nodeIssues: {},
    summaries: {},
    handoffs: {},
    revisions: {},
    nodeBranches: {},
    branches: {},
    pullRequest: pr,
  };
  return { repo, forge, run, pr };
}

const triage = async (forge: Forge, run: LoadedRun, changed = ["value.txt"]) =>
  triageFailures({
    forge,
    config: RepoConfigSchema.parse({}),
    run,
    headSha: run.pullRequest?.headSha ?? "",
    checks: await forge.listCheckResults(run.pullRequest?.headSha ?? ""),
    ledger: null,
    changedFiles: async () => new Set(changed),
  });
const commentsOn = (repo: RepoState, number: number) =>
  [...repo.comments.values()].filter((c) => c.issueNumber === number).map((c) => c.body);

describe("triageFailures", () => {
  it("reports a check that fails on the base with the same failures, and revises one that fails differently", async () => {
    const { repo, forge, run, pr } = await pullWith("3");
    const result = await triage(forge, run);
    expect(result.kind === "revise" && result.failed.map((c) => c.name)).toEqual(["test"]);
    expect(result.kind === "revise" && result.note).toBe(
      "`legacy` also fails on `main` (pre-existing, not revised)",
    );
    const said = commentsOn(repo, pr.number).join("\n");
    expect(said).toContain("**Pre-existing failures on");
    expect(said).toContain("The other failures (`test`) are reviewed as usual.");
    // `test` names the file the change touched: no re-run.
    expect(fake.requests.some((r) => r.template?.endsWith("/rerun-failed-jobs"))).toBe(false);
    expect(pr.draft).toBe(true);
  });

  it("re-runs a job that lost its runner once, waits while the re-run is under way, and says what it showed", async () => {
    const { repo, forge, run, pr } = await pullWith("2", { flaky: true });
    const failedId = (await forge.listCheckResults(pr.headSha)).find((c) => c.name === "test")?.id ?? 0;
    const first = await triage(forge, run);
    expect(first).toEqual({ kind: "settled", outcome: { kind: "rerunning", checks: ["test"] } });
    const said = commentsOn(repo, pr.number).find((b) => b.startsWith("**Re-ran"));
    expect(said).toContain(
      "- `test` looks like an infrastructure fault (the runner lost communication with GitHub)",
    );
    expect(said).toContain("What it showed: waiting for the re-run's results.");

    // The run as the dashboard then records it; a late event about the failed check run changes nothing.
    const rerunRecord = { sha: pr.headSha, checks: ["test"], ids: [failedId], why: ["lost"] };
    const recorded = { ...run, meta: { ...run.meta, reruns: [rerunRecord] } };
    const stale = await triageFailures({
      forge,
      config: RepoConfigSchema.parse({}),
      run: recorded,
      headSha: pr.headSha,
      checks: [
        ...(await forge.listCheckResults(pr.headSha)).filter((c) => c.name !== "test"),
        {
          id: failedId,
          name: "test",
          status: "completed",
          conclusion: "failure",
          title: null,
          summary: null,
          annotations: [],
          logTail: null,
        },
      ],
      ledger: null,
      changedFiles: async () => new Set(["value.txt"]),
    });
    expect(stale).toEqual({ kind: "settled", outcome: { kind: "waiting", pending: ["test"] } });

    await fake.ci.settled();
    const after = await triage(forge, recorded);
    // `legacy` still fails, but as on main: pre-existing, so nothing is left to revise.
    expect(after).toEqual({ kind: "settled", outcome: { kind: "pre-existing", checks: ["legacy"] } });
    expect(commentsOn(repo, pr.number).find((b) => b.startsWith("**Re-ran"))).toContain(
      "What it showed: it passed on the re-run, so the first failure was flaky and nothing was revised.",
    );
    // Every failure left is pre-existing: the PR is made ready.
    expect(repo.pulls.get(pr.number)?.draft).toBe(false);
    expect(
      fake.requests.filter((r) => r.template?.endsWith("/rerun-failed-jobs")).map((r) => r.status),
    ).toEqual([201]);
  });

  it("re-runs only once per head: a check that fails again is left to revise", async () => {
    const { forge, run, pr } = await pullWith("2", { flaky: true });
    const before = fake.requests.filter((r) => r.template?.endsWith("/rerun-failed-jobs")).length;
    const checks = await forge.listCheckResults(pr.headSha);
    const test = checks.find((c) => c.name === "test");
    // As if the re-run had come and gone (new ids) and failed again.
    const recorded = {
      ...run,
      meta: { ...run.meta, reruns: [{ sha: pr.headSha, checks: ["test"], ids: [1], why: ["lost"] }] },
    };
    const result = await triageFailures({
      forge,
      config: RepoConfigSchema.parse({}),
      run: recorded,
      headSha: pr.headSha,
      checks,
      ledger: null,
      changedFiles: async () => new Set(["value.txt"]),
    });
    expect(result.kind === "revise" && result.failed.map((c) => c.id)).toEqual([test?.id]);
    expect(result.kind === "revise" && result.note).toBe(
      "`test` failed again when re-run; `legacy` also fails on `main` (pre-existing, not revised)",
    );
    expect(fake.requests.filter((r) => r.template?.endsWith("/rerun-failed-jobs"))).toHaveLength(before);
  });
});
