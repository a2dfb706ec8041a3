import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syntaxErrors } from "../context/syntax-errors.js";
import type { Ledger } from "../domain/budget/budget.js";
import type { CheckRun } from "../domain/checks/check-run.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { dependents } from "../domain/dag/dependents.js";
import { describeFailure } from "../domain/describe-failure.js";
import type { CacheTtl } from "../domain/estimate/choose-cache-ttl.js";
import type { Plan } from "../domain/plan/plan.js";
import type { ModelClient } from "../model/model-client.js";
import { codeNode } from "../pipeline/code/code-node.js";
import { type RunBlock, runFilesOf } from "../pipeline/code/run-block.js";
import { refreshDashboard } from "../pipeline/dashboard/refresh-dashboard.js";
import type { Forge, IssueRef, NodeResult } from "../pipeline/forge.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import type { NodeRunner } from "../pipeline/scheduler.js";
import { runCheckCommands, runInstallStep } from "../sandbox/run-checks.js";
import { limitsFromConfig } from "../sandbox/sandbox-types.js";
import { openShellSession } from "../sandbox/shell-session.js";
import { filesAtCommit } from "../workspace/files-at-commit.js";
import { changedFiles, commitAndPush, git, prepareNodeCopy } from "../workspace/git-workspace.js";
import { createInstallReuse, type InstallReuse } from "../workspace/install-reuse.js";
import { openWorkingCopy } from "../workspace/local-working-copy.js";
import { contextOfCopy } from "./code-context.js";
import { installStep } from "./install-step.js";

/** What a run's nodes share, stored with the run in the scheduler. */
export type NodeRunContext = {
  installationId: number;
  repo: { owner: string; name: string };
  spec: { number: number; title: string; body: string };
  planSummary: string;
  plan: Plan;
  nodeIssues: Record<string, IssueRef>;
  branches: Record<string, string>;
  base: string;
  /** The coders' shared run block, made when the plan was laid out (absent in a run taken up from GitHub). */
  runBlock?: RunBlock;
  /** The coders' cache lifetime, settled when the plan was laid out (absent: as `cache.ttl` says, `auto` 5m). */
  cacheTtl?: CacheTtl;
};

export type NodeRunnerOptions = {
  forgeFor: (installationId: number, owner: string, repo: string) => Forge;
  /** A token for git over https (GitHub), or undefined for local remotes. */
  tokenFor: (installationId: number) => Promise<string | undefined>;
  model: (config: RepoConfig, runId: string, runDir: string) => Promise<ModelClient>;
  runsDir: string;
  /** Per-worker git mirrors that node copies borrow objects from; unset, every node clones in full. */
  mirrorsDir?: string;
  /** The run's spending so far, for the dashboard's tokens and cost per node. */
  readLedger?: (runId: string) => Promise<Ledger>;
  /**
   * The download cache (npm, pip) of a repository's install step, by its remote, so each working copy
   * installs from disk after the first. Unset: every install downloads.
   */
  cacheFor?: (remote: string) => string;
  /** Installs shared between the working copies of this process (one is made when unset). */
  installs?: InstallReuse;
  /** Told how long a node's baseline run of the checks took, so later runs can pick their cache lifetime. */
  noteChecks?: (runId: string, nodeId: string, seconds: number) => Promise<void>;
};

/** One cache folder per repository under `root`, so one repository's installs cannot poison another's. */
export const cachePerRepository = (root: string) => (remote: string) =>
  join(root, createHash("sha256").update(remote).digest("hex").slice(0, 16));

/** Output of one shell command kept for the agent (its start and end), as Claude Code keeps about 30k. */
const SHELL_OUTPUT_BYTES = 30_000;

// Nodes that start from the same commit (every root node of a run) share one baseline run of the checks.
const baselines = new Map<string, Promise<CheckRun>>();
function sharedBaseline(key: string, run: () => Promise<CheckRun>): Promise<CheckRun> {
  let found = baselines.get(key);
  if (!found) {
    found = run();
    baselines.set(key, found);
    found.catch(() => baselines.delete(key));
    if (baselines.size > 100) baselines.delete(baselines.keys().next().value as string);
  }
  return found;
}

/** A node job, wired: config at the base, a working copy, the sandboxed checks, the coder, the dashboard. */
export function createNodeRunner(options: NodeRunnerOptions): NodeRunner {
  const run = runNode(options);
  return async (task) => {
    try {
      const outcome = await run(task);
      const ctx = task.context as NodeRunContext;
      const issue = ctx.nodeIssues[task.node.id];
      // An earlier attempt's error comment would say the node is stuck when it is not: it says so now.
      if ((task.attempt ?? 0) > 0 && issue)
        await options
          .forgeFor(ctx.installationId, ctx.repo.owner, ctx.repo.name)
          .amendComment(
            issue.number,
            `error-${task.runId}`,
            `~~swarm hit a problem coding node \`${task.node.id}\`.~~ Resolved: a later attempt coded it (${outcome}).`,
          )
          .catch(() => undefined);
      return outcome;
    } catch (error) {
      // Said on the node's sub-issue (one comment, edited on each attempt); the scheduler retries the node.
      const ctx = task.context as NodeRunContext;
      const issue = ctx.nodeIssues[task.node.id];
      if (issue) {
        const forge = options.forgeFor(ctx.installationId, ctx.repo.owner, ctx.repo.name);
        await forge
          .ensureComment(
            issue.number,
            `error-${task.runId}`,
            describeFailure(error, `swarm hit a problem coding node \`${task.node.id}\``),
          )
          .catch(() => undefined);
      }
      throw error;
    }
  };
}

function runNode(options: NodeRunnerOptions): NodeRunner {
  const installs = options.installs ?? createInstallReuse();
  return async (task) => {
    const ctx = task.context as NodeRunContext;
    const forge = options.forgeFor(ctx.installationId, ctx.repo.owner, ctx.repo.name);
    const read = await readRepoConfig(forge, ctx.base, ctx.spec.number);
    const config =
      read.cache.ttl === "auto" && ctx.cacheTtl
        ? { ...read, cache: { ...read.cache, ttl: ctx.cacheTtl } }
        : read;

    const remote = await forge.cloneUrl();
    const token = await options.tokenFor(ctx.installationId);
    const auth = token ? { token } : {};
    const branch = ctx.branches[task.node.id] ?? "";
    const nodeIssue = ctx.nodeIssues[task.node.id] as IssueRef;
    // Taken up from GitHub after Redis was lost: a coder that was still at work may have finished it since.
    if (
      task.adopted &&
      (await forge.loadRun(ctx.spec.number, { nodesOnly: true }))?.states[task.node.id] === "done"
    )
      return "done";
    await forge.setNodeStatus(
      nodeIssue,
      ctx.spec.number,
      task.node,
      "running",
      branch,
      task.revision ? { revision: task.revision.feedback } : undefined,
    );
    const cacheDir = options.cacheFor?.(remote);
    let copyDir: string | null = null;
    const outcome = await codeNode(
      {
        runId: task.runId,
        spec: ctx.spec,
        plan: ctx.plan,
        node: task.node,
        nodeIssue,
        branch,
        ...(task.revision ? { revision: task.revision } : {}),
        ...(ctx.runBlock ? { runBlock: ctx.runBlock } : {}),
      },
      {
        forge,
        model: await options.model(config, task.runId, join(options.runsDir, task.runId)),
        config,
        prepare: async () => {
          const dependencyBranches = task.node.dependsOn
            .map((d) => ctx.branches[d])
            .filter((b): b is string => !!b);
          const dir = await prepareNodeCopy({
            remote,
            auth,
            base: ctx.base,
            branch,
            dependencyBranches,
            ...(options.mirrorsDir ? { mirrorsDir: options.mirrorsDir } : {}),
            ...(task.revision ? { continueBranch: true } : {}),
          });
          copyDir = dir;
          return { dir, copy: await openWorkingCopy(dir) };
        },
        install: (dir) => installStep(dir, config, { installs, ...(cacheDir ? { cacheDir } : {}) }),
        // After an agent changed the manifests, an install it asks for gets no shared download cache.
        reinstall: (dir) => runInstallStep(dir, config),
        baseline: async (dir) => {
          const run = await sharedBaseline(
            [task.runId, remote, await git(dir, "rev-parse", "HEAD"), JSON.stringify(config.validation)].join(
              "\0",
            ),
            () => runCheckCommands(dir, config),
          );
          const seconds = run.commands.reduce((sum, c) => sum + c.seconds, 0);
          await options.noteChecks?.(task.runId, task.node.id, seconds).catch(() => undefined);
          return run;
        },
        runChecks: (dir) => runCheckCommands(dir, config),
        openShell: (dir) =>
          openShellSession({
            cwd: dir,
            mode: config.sandbox.mode,
            limits: limitsFromConfig(config.sandbox),
            commandTimeoutMs: config.sandbox.shellSeconds * 1000,
            keepOutputBytes: SHELL_OUTPUT_BYTES,
          }),
        syntaxCheck: syntaxErrors,
        dependencyResults: async () => {
          if (task.node.dependsOn.length === 0) return {};
          const run = await forge.loadRun(ctx.spec.number, { nodesOnly: true });
          return Object.fromEntries(
            task.node.dependsOn.flatMap((id): [string, NodeResult][] => {
              const summary = run?.summaries[id];
              const handoff = run?.handoffs[id];
              return summary ? [[id, { summary, ...(handoff ? { handoff } : {}) }]] : [];
            }),
          );
        },
        changedFiles,
        commitAndPush: (dir, files, message) =>
          commitAndPush({
            ...{ dir, remote, auth, branch, files, message },
            beforePush: (sha) => forge.notePush(ctx.spec.number, branch, sha),
          }),
        isCancelled: task.isCancelled,
        runFiles: (dir) => runFilesOf(filesAtCommit(dir, `refs/remotes/origin/${ctx.base}`)),
        // The files of the nodes this one builds on come right after its own: it uses what they made.
        codeContext: (dir, query) =>
          contextOfCopy(dir, {
            ...query,
            files: [
              ...query.files,
              ...ctx.plan.nodes.filter((n) => task.node.dependsOn.includes(n.id)).flatMap((n) => n.owns),
            ],
          }),
      },
    ).finally(async () => {
      // The copy (with its installed dependencies) goes when the node ends; its branch holds the work.
      if (copyDir) await rm(dirname(copyDir), { recursive: true, force: true }).catch(() => undefined);
    });
    if (outcome === "failed") {
      // The scheduler blocks the dependents in Redis; their sub-issues say so too.
      for (const id of dependents(ctx.plan, task.node.id)) {
        const node = ctx.plan.nodes.find((n) => n.id === id);
        const ref = ctx.nodeIssues[id];
        if (node && ref)
          await forge.setNodeStatus(ref, ctx.spec.number, node, "blocked", ctx.branches[id] ?? "");
      }
    }
    await refreshDashboard(forge, ctx.spec.number, {
      ledger: (await options.readLedger?.(task.runId)) ?? null,
      // The last node done: the integrate job, queued now, says so at once (a write less).
      unlessAllDone: outcome === "done",
    });
    return outcome;
  };
}
