import { join } from "node:path";
import type { Ledger } from "../domain/budget/budget.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { dependents } from "../domain/dag/dependents.js";
import { describeFailure } from "../domain/describe-failure.js";
import type { Plan } from "../domain/plan/plan.js";
import type { ModelClient } from "../model/model-client.js";
import { codeNode } from "../pipeline/code/code-node.js";
import type { CheckReport } from "../pipeline/code/coder-tools.js";
import { refreshDashboard } from "../pipeline/dashboard/refresh-dashboard.js";
import type { Forge, IssueRef } from "../pipeline/forge.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import type { NodeRunner } from "../pipeline/scheduler.js";
import { parseFailures } from "../sandbox/parse/parse-failures.js";
import { runInstall, sandboxOf } from "../sandbox/run-install.js";
import { runSandboxed } from "../sandbox/run-sandboxed.js";
import { changedFiles, commitAndPush, prepareNodeCopy } from "../workspace/git-workspace.js";
import { openWorkingCopy } from "../workspace/local-working-copy.js";
import { contextOfCopy } from "./code-context.js";

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
};

/** A node job, wired: config at the base, a working copy, the sandboxed checks, the coder, the dashboard. */
export function createNodeRunner(options: NodeRunnerOptions): NodeRunner {
  const run = runNode(options);
  return async (task) => {
    try {
      return await run(task);
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
  return async (task) => {
    const ctx = task.context as NodeRunContext;
    const forge = options.forgeFor(ctx.installationId, ctx.repo.owner, ctx.repo.name);
    const config = await readRepoConfig(forge, ctx.base);

    const remote = await forge.cloneUrl();
    const token = await options.tokenFor(ctx.installationId);
    const auth = token ? { token } : {};
    const branch = ctx.branches[task.node.id] ?? "";
    const nodeIssue = ctx.nodeIssues[task.node.id] as IssueRef;
    await forge.setNodeStatus(nodeIssue, ctx.spec.number, task.node, "running", branch);
    const installed = new Set<string>();
    const sandbox = sandboxOf(config);

    const runChecks = async (dir: string): Promise<CheckReport> => {
      if (!installed.has(dir)) {
        installed.add(dir);
        const failed = await runInstall(dir, config);
        if (failed !== null)
          return {
            passed: false,
            summary: `install failed: ${config.validation.install}`,
            failures: parseFailures(failed),
          };
      }
      if (config.validation.commands.length === 0)
        return { passed: true, summary: "no checks configured", failures: [] };
      const r = await runSandboxed({
        cwd: dir,
        command: config.validation.commands.join(" && "),
        ...sandbox,
      });
      const output = `${r.stdoutTail}\n${r.stderrTail}`;
      return {
        passed: r.exitCode === 0,
        summary:
          r.limitsHit.length > 0
            ? `stopped by limits: ${r.limitsHit.join(", ")}`
            : (output.trim().split("\n").at(-1) ?? ""),
        failures: parseFailures(output),
      };
    };

    const outcome = await codeNode(
      {
        runId: task.runId,
        spec: ctx.spec,
        planSummary: ctx.planSummary,
        node: task.node,
        nodeIssue,
        branch,
        ...(task.revision ? { revision: task.revision } : {}),
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
          return { dir, copy: await openWorkingCopy(dir) };
        },
        runChecks,
        changedFiles,
        commitAndPush: (dir, files, message) => commitAndPush({ dir, remote, auth, branch, files, message }),
        isCancelled: task.isCancelled,
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
    );
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
    });
    return outcome;
  };
}
