// The fake plays GitHub Actions: on a PR opened or synchronised (or a push it is told of), it starts a
// workflow run on the head commit: one check suite, and per enabled job a job (with its log) and a check run
// (conclusion, summary, annotations), queued first and then played one after another. A workflow run can be
// re-run (`POST .../actions/runs/{run_id}/rerun-failed-jobs`): a new attempt plays its failed jobs again on
// the same commit, each as a new job and check run, as GitHub does. The commands run as plain child processes.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, resolveRef } from "./bare-repo.js";
import type { Actor, Annotation, CheckRun, FakeState, Job, RepoState, WorkflowRun } from "./state.js";

export const ACTIONS_APP: Actor = { login: "github-actions", id: 15368, type: "Bot" };

export type CiSettings = {
  command: string;
  name: string;
  timeoutMs: number;
  /** Report the job with this conclusion without running it, as a job skipped by its `if:` would be. */
  conclusion?: "skipped" | "neutral";
  /**
   * The first `flaky` attempts of each workflow run lose their runner before the command runs, as a hosted
   * runner sometimes does: the job fails with GitHub's message for that; a re-run plays the command.
   */
  flaky?: number;
};

/** What GitHub Actions reports when a hosted runner goes away mid-job. */
export const RUNNER_LOST =
  "The hosted runner: GitHub Actions 7 lost communication with the server. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.";

const FAILED = new Set(["failure", "timed_out", "cancelled", "action_required", "startup_failure"]);

// `file:line:col: message` (and TypeScript's `file(line,col): error TSxxxx: message`) become annotations.
const LOCATED = /^([\w./-]+\.\w+)(?::(\d+)(?::(\d+))?|\((\d+),(\d+)\)):?\s*(?:error|warning)?\s*:?\s*(.+)$/;

export function annotationsOf(output: string): Annotation[] {
  return output.split("\n").flatMap((line) => {
    const m = LOCATED.exec(line.trim());
    if (!m) return [];
    const lineNo = Number(m[2] ?? m[4] ?? 1);
    return [
      {
        path: m[1] ?? "",
        start_line: lineNo,
        end_line: lineNo,
        annotation_level: "failure" as const,
        message: (m[6] ?? "").trim(),
      },
    ];
  });
}

/** A queued job of `run` and its queued check run, as GitHub creates them when a job is queued. */
export function queueJob(state: FakeState, repo: RepoState, run: WorkflowRun, name: string): Job {
  const now = state.now();
  const job: Job = {
    id: state.id(),
    name,
    log: "",
    runId: run.id,
    runAttempt: run.runAttempt,
    headSha: run.headSha,
    status: "queued",
    conclusion: null,
    startedAt: now,
    completedAt: null,
  };
  const check: CheckRun = {
    id: state.id(),
    name,
    headSha: run.headSha,
    status: "queued",
    conclusion: null,
    title: null,
    summary: null,
    text: null,
    annotations: [],
    suiteId: run.suiteId,
    externalId: null,
    detailsUrl: null,
    app: ACTIONS_APP,
    jobId: job.id,
    startedAt: now,
    completedAt: null,
  };
  job.checkRunId = check.id;
  repo.jobs.set(job.id, job);
  repo.checkRuns.set(check.id, check);
  return job;
}

/** The run's jobs as they stand: the latest of each name (a re-run adds new ones). */
export function currentJobs(repo: RepoState, run: WorkflowRun): Job[] {
  const latest = new Map<string, Job>();
  for (const j of repo.jobs.values())
    if (j.runId === run.id && (latest.get(j.name)?.id ?? -1) < j.id) latest.set(j.name, j);
  return [...latest.values()];
}

/** The failed jobs of a run's latest attempt, queued again as its next attempt; null when it is still running. */
export function requeueFailedJobs(state: FakeState, repo: RepoState, run: WorkflowRun): Job[] | null {
  if (run.status !== "completed") return null;
  const failed = currentJobs(repo, run).filter((j) => j.conclusion && FAILED.has(j.conclusion));
  run.runAttempt += 1;
  run.status = "queued";
  run.conclusion = null;
  run.updatedAt = state.now();
  const suite = repo.checkSuites.get(run.suiteId);
  if (suite) {
    suite.status = "queued";
    suite.conclusion = null;
  }
  // Jobs that passed keep their results; only the failed ones run again, as new jobs and check runs.
  return failed.map((j) => queueJob(state, repo, run, j.name));
}

export function createCiPlayer(state: FakeState, completed: (repo: RepoState, run: CheckRun) => void) {
  const settings = new Map<RepoState, Map<string, CiSettings>>();
  let queue: Promise<void> = Promise.resolve();

  const playJob = async (repo: RepoState, run: WorkflowRun, job: Job, ci: CiSettings) => {
    const check = repo.checkRuns.get(job.checkRunId ?? -1);
    if (!check) return;
    job.status = "in_progress";
    check.status = "in_progress";
    run.status = "in_progress";
    const lost = (ci.flaky ?? 0) >= run.runAttempt;
    const dir = mkdtempSync(join(tmpdir(), "fake-ci-"));
    try {
      git(dir, "init", "-q");
      git(dir, "fetch", "-q", repo.bare, run.headSha);
      git(dir, "checkout", "-q", run.headSha);
      const { code, output } =
        ci.conclusion || lost
          ? { code: lost ? 1 : 0, output: lost ? `##[error]${RUNNER_LOST}` : "" }
          : await new Promise<{ code: number; output: string }>((resolve) => {
              execFile(
                "sh",
                ["-c", ci.command],
                {
                  cwd: dir,
                  timeout: ci.timeoutMs,
                  // What a workflow's steps see of their run (a flaky test may read the attempt).
                  env: {
                    PATH: process.env.PATH ?? "/usr/bin:/bin",
                    HOME: dir,
                    CI: "true",
                    GITHUB_ACTIONS: "true",
                    GITHUB_SHA: run.headSha,
                    GITHUB_RUN_ID: String(run.id),
                    GITHUB_RUN_ATTEMPT: String(run.runAttempt),
                  },
                },
                (error, stdout, stderr) => {
                  resolve({
                    code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
                    output: `${stdout}${stderr}`,
                  });
                },
              );
            });
      const conclusion = ci.conclusion ?? (code === 0 ? "success" : "failure");
      const now = state.now();
      const lines = output.trim().split("\n");
      job.log = `$ ${ci.command}\n${output}`;
      Object.assign(job, { status: "completed", conclusion, completedAt: now });
      Object.assign(check, {
        status: "completed",
        conclusion,
        title: lost
          ? "The job lost its runner"
          : code === 0
            ? `${ci.name} passed`
            : `${ci.name} failed (exit ${code})`,
        summary: lines.slice(-20).join("\n"),
        // GitHub annotates a lost runner on `.github`, as it does other errors of the run itself.
        annotations: lost
          ? [
              {
                path: ".github",
                start_line: 1,
                end_line: 1,
                annotation_level: "failure",
                message: RUNNER_LOST,
              },
            ]
          : code === 0
            ? []
            : annotationsOf(output).slice(0, 50),
        completedAt: now,
      });
      const jobs = currentJobs(repo, run);
      if (jobs.every((j) => j.status === "completed")) {
        run.status = "completed";
        run.conclusion = jobs.some((j) => j.conclusion && FAILED.has(j.conclusion)) ? "failure" : "success";
        run.updatedAt = now;
      }
      completed(repo, check);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  /** A workflow run on `sha` with every enabled job queued, then played one after another. */
  const start = (repo: RepoState, sha: string, branch: string, event: WorkflowRun["event"]) => {
    const jobs = [...(settings.get(repo)?.values() ?? [])];
    if (jobs.length === 0) return;
    const now = state.now();
    const run: WorkflowRun = {
      id: state.id(),
      name: "CI",
      event,
      headSha: sha,
      headBranch: branch,
      status: "queued",
      conclusion: null,
      runAttempt: 1,
      suiteId: state.id(),
      createdAt: now,
      updatedAt: now,
    };
    repo.workflowRuns.set(run.id, run);
    repo.checkSuites.set(run.suiteId, {
      id: run.suiteId,
      headSha: sha,
      headBranch: branch,
      status: "queued",
      conclusion: null,
      app: ACTIONS_APP,
    });
    const queued = jobs.map((ci) => ({ ci, job: queueJob(state, repo, run, ci.name) }));
    for (const { ci, job } of queued) queue = queue.then(() => playJob(repo, run, job, ci));
  };

  return {
    /** Runs `command` (through sh) as the job `name` on every opened or synchronised PR of `repo`. */
    enable(repo: RepoState, command: string, options: Partial<Omit<CiSettings, "command">> = {}) {
      const jobs = settings.get(repo) ?? new Map<string, CiSettings>();
      const name = options.name ?? "test";
      jobs.set(name, {
        command,
        name,
        timeoutMs: options.timeoutMs ?? 120_000,
        ...(options.conclusion ? { conclusion: options.conclusion } : {}),
        ...(options.flaky ? { flaky: options.flaky } : {}),
      });
      settings.set(repo, jobs);
    },
    pullChanged(repo: RepoState, pull: { head: string }) {
      const sha = resolveRef(repo.bare, `refs/heads/${pull.head}`);
      if (sha) start(repo, sha, pull.head, "pull_request");
    },
    /** A push to `branch` (say, the default branch), whose workflow runs on its head as a `push` event. */
    pushed(repo: RepoState, branch: string) {
      const sha = resolveRef(repo.bare, `refs/heads/${branch}`);
      if (sha) start(repo, sha, branch, "push");
    },
    /** Plays jobs that `rerun-failed-jobs` queued again. */
    rerun(repo: RepoState, run: WorkflowRun, jobs: readonly Job[]) {
      for (const job of jobs) {
        const ci = settings.get(repo)?.get(job.name);
        if (ci) queue = queue.then(() => playJob(repo, run, job, ci));
      }
    },
    /** Resolves when every CI run started so far has reported. */
    settled: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== queue) {
        seen = queue;
        await queue;
      }
    },
  };
}
