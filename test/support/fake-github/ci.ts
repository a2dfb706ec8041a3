// The fake plays GitHub Actions: on a PR opened or synchronised, it runs the repository's check command on
// the head commit and reports a job (with its log) and a check run (conclusion, summary, annotations).
// Issue 5's sandbox will run the command once it exists; until then it is a plain child process.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git, resolveRef } from "./bare-repo.js";
import type { Actor, Annotation, CheckRun, FakeState, Pull, RepoState } from "./state.js";

export const ACTIONS_APP: Actor = { login: "github-actions", id: 15368, type: "Bot" };

export type CiSettings = {
  command: string;
  name: string;
  timeoutMs: number;
  /** Report the job with this conclusion without running it, as a job skipped by its `if:` would be. */
  conclusion?: "skipped" | "neutral";
};

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

export function createCiPlayer(state: FakeState, completed: (repo: RepoState, run: CheckRun) => void) {
  const settings = new Map<RepoState, CiSettings>();
  let queue: Promise<void> = Promise.resolve();

  const play = async (repo: RepoState, pull: Pull, ci: CiSettings) => {
    const sha = resolveRef(repo.bare, `refs/heads/${pull.head}`);
    if (!sha) return;
    const dir = mkdtempSync(join(tmpdir(), "fake-ci-"));
    try {
      git(dir, "init", "-q");
      git(dir, "fetch", "-q", repo.bare, sha);
      git(dir, "checkout", "-q", sha);
      const { code, output } = ci.conclusion
        ? { code: 0, output: "" }
        : await new Promise<{ code: number; output: string }>((resolve) => {
            execFile(
              "sh",
              ["-c", ci.command],
              {
                cwd: dir,
                timeout: ci.timeoutMs,
                env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
              },
              (error, stdout, stderr) => {
                resolve({
                  code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
                  output: `${stdout}${stderr}`,
                });
              },
            );
          });
      const job = { id: state.id(), name: ci.name, log: `$ ${ci.command}\n${output}` };
      repo.jobs.set(job.id, job);
      const suiteId = state.id();
      repo.checkSuites.set(suiteId, {
        id: suiteId,
        headSha: sha,
        headBranch: pull.head,
        status: "completed",
        conclusion: ci.conclusion ?? (code === 0 ? "success" : "failure"),
        app: ACTIONS_APP,
      });
      const now = state.now();
      const lines = output.trim().split("\n");
      const run: CheckRun = {
        id: state.id(),
        name: ci.name,
        headSha: sha,
        status: "completed",
        conclusion: ci.conclusion ?? (code === 0 ? "success" : "failure"),
        title: code === 0 ? `${ci.name} passed` : `${ci.name} failed (exit ${code})`,
        summary: lines.slice(-20).join("\n"),
        text: null,
        annotations: code === 0 ? [] : annotationsOf(output).slice(0, 50),
        suiteId,
        externalId: null,
        detailsUrl: null,
        app: ACTIONS_APP,
        jobId: job.id,
        startedAt: now,
        completedAt: now,
      };
      repo.checkRuns.set(run.id, run);
      completed(repo, run);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  return {
    /** Runs `command` (through sh) on every opened or synchronised PR of `repo`. */
    enable(repo: RepoState, command: string, options: Partial<Omit<CiSettings, "command">> = {}) {
      settings.set(repo, {
        command,
        name: options.name ?? "test",
        timeoutMs: options.timeoutMs ?? 120_000,
        ...(options.conclusion ? { conclusion: options.conclusion } : {}),
      });
    },
    pullChanged(repo: RepoState, pull: Pull) {
      const ci = settings.get(repo);
      if (ci) queue = queue.then(() => play(repo, pull, ci));
    },
    /** Resolves when every CI run started so far has reported. */
    settled: () => queue,
  };
}
