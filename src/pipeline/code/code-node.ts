import type { CheckRun, CommandCheck } from "../../domain/checks/check-run.js";
import { type BaselineVerdict, compareToBaseline } from "../../domain/checks/compare-to-baseline.js";
import { DEPENDENCY_FILES, ownsDependencyFiles } from "../../domain/checks/dependency-files.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import { mayWrite } from "../../domain/plan/may-write.js";
import type { Plan, PlanNode } from "../../domain/plan/plan.js";
import { isToolCache } from "../../domain/plan/tool-caches.js";
import type { ModelClient } from "../../model/model-client.js";
import { type AgentResult, runAgent } from "../../model/run-agent.js";
import type { Forge, IssueRef, NodeResult } from "../forge.js";
import type { NodeOutcome } from "../scheduler.js";
import type { ShellSession } from "../shell.js";
import type { WorkingCopy } from "../working-copy.js";
import type { Handoff } from "./check-tools.js";
import { buildCoderPrompt, coderSystemPrompt } from "./coder-prompt.js";
import { coderTools } from "./coder-tools.js";
import type { SyntaxCheck } from "./editor-tool.js";
import { judgedLine } from "./format-checks.js";
import { createOwnershipGuard } from "./ownership-guard.js";
import { type RunBlock, type RunFiles, runBlockOf, runFilesOf } from "./run-block.js";

export type CodeNodeInput = {
  runId: string;
  spec: { number: number; title: string; body: string };
  plan: Plan;
  node: PlanNode;
  nodeIssue: IssueRef;
  branch: string;
  /** Set when the node runs again after it was done: the review or request it must answer. */
  revision?: { feedback: string };
  /**
   * The run block made when the plan was laid out (the same for every node, so one cache entry serves them
   * all). Absent (a run taken up from GitHub), the node makes it from its copy.
   */
  runBlock?: RunBlock;
};

export type CodeNodeDeps = {
  forge: Forge;
  model: ModelClient;
  config: RepoConfig;
  /** A working copy on the node branch (base plus dependency branches), and where it is. */
  prepare: () => Promise<{ dir: string; copy: WorkingCopy }>;
  /**
   * The repository's install step in the copy, with network; null when none is configured. It may reuse what
   * the same install left in another copy with the same dependency files.
   */
  install: (dir: string) => Promise<CommandCheck | null>;
  /** The install step run again, for the agent's `install` tool after it changed the dependency files. */
  reinstall?: (dir: string) => Promise<CommandCheck | null>;
  /** The checks at the copy's starting point (it may be shared by nodes that start from the same commit). */
  baseline: (dir: string) => Promise<CheckRun>;
  runChecks: (dir: string) => Promise<CheckRun>;
  /** A persistent shell in the copy's sandbox, for the agent's bash tool. */
  openShell: (dir: string) => ShellSession;
  changedFiles: (dir: string) => Promise<string[]>;
  commitAndPush: (dir: string, files: readonly string[], message: string) => Promise<string | null>;
  isCancelled: () => Promise<boolean>;
  /**
   * What the run block takes from the repository (instructions, map) as it was at the run's base, when the
   * run brought no run block: the same for every node, whatever its copy merged or built since.
   */
  runFiles?: (dir: string) => Promise<RunFiles>;
  /** The code most related to the node in its working copy, ranked, within a token budget (src/context). */
  codeContext?: (dir: string, query: { text: string; files: readonly string[] }) => Promise<string>;
  syntaxCheck?: SyntaxCheck;
  /** What the nodes this one depends on said when they were done (read when the node starts). */
  dependencyResults?: () => Promise<Readonly<Record<string, NodeResult>>>;
};

/**
 * One node: install, run the checks once on the starting point (the baseline), then the coder works with a
 * sandboxed shell, the editor and the checks within its files and limits; the checks decide against the
 * baseline (only what the node broke counts); the node's own changes are committed and pushed; its sub-issue
 * gets the summary and handoff note (done) or the new failures (failed).
 */
export async function codeNode(input: CodeNodeInput, deps: CodeNodeDeps): Promise<NodeOutcome> {
  const { node, plan } = input;
  const config = deps.config;
  const { dir, copy } = await deps.prepare();
  const hasChecks = config.validation.commands.length > 0;
  let installed = await deps.install(dir);
  const baseline = hasChecks ? { ...(await deps.baseline(dir)), install: failedOnly(installed) } : null;
  // The last checks, and the working copy's state they ran on: the final verdict reuses them when the
  // agent changed nothing since (and the checks changed nothing either).
  type Reusable = { state: string; run: CheckRun };
  let reusable: Reusable | null = null;
  const checksNow = async (): Promise<CheckRun> => {
    const before = await stateOf(copy);
    const run = { ...(await deps.runChecks(dir)), install: failedOnly(installed) };
    reusable = (await stateOf(copy)) === before ? { state: before, run } : null;
    return run;
  };

  const present = (
    await Promise.all(DEPENDENCY_FILES.map(async (f) => ((await copy.kind(f)) ? f : null)))
  ).filter((f): f is string => f !== null);
  const canInstall = !!config.validation.install && ownsDependencyFiles(node, present, config.protectedPaths);
  const codeContext = await deps.codeContext?.(dir, {
    text: [node.title, node.goal, ...node.acceptance, input.revision?.feedback ?? ""].join("\n"),
    files: node.owns,
  });
  const prompt = buildCoderPrompt({
    system: await coderSystemPrompt(config),
    run:
      input.runBlock ??
      runBlockOf({ spec: input.spec, plan, config, files: await (deps.runFiles?.(dir) ?? runFilesOf(copy)) }),
    plan,
    node,
    canInstall,
    dependencies: (await deps.dependencyResults?.()) ?? {},
    baseline,
    ...(codeContext ? { codeContext } : {}),
    ...(input.revision ? { revision: input.revision } : {}),
  });

  // Whatever the install step and the baseline left behind is not the agent's doing.
  const guard = await createOwnershipGuard({ copy, node, plan, protectedPaths: config.protectedPaths });
  const shell = deps.openShell(dir);
  let handoff: Handoff = { summary: "", handoff: "" };
  let result: AgentResult;
  try {
    result = await runAgent(deps.model, {
      caller: { role: "coder", nodeId: node.id },
      prompt,
      tools: coderTools(config, {
        node,
        copy,
        shell,
        guard,
        baseline,
        canInstall,
        runChecks: checksNow,
        install: async () => {
          const r = (await (deps.reinstall ?? deps.install)(dir)) as CommandCheck;
          installed = r;
          reusable = null;
          return r;
        },
        ...(deps.syntaxCheck ? { syntaxCheck: deps.syntaxCheck } : {}),
        onFinish: (h) => {
          handoff = h;
        },
      }),
      limits: {
        maxTurns: config.limits.maxCoderTurns,
        maxOutputTokensPerTurn: config.agents.coder.maxOutputTokens,
        maxTokens: config.limits.maxTokensPerNode,
        maxUsd: config.limits.maxUsdPerNode,
      },
      shouldStop: deps.isCancelled,
      // Settled for the run before it started (`cache.ttl: auto` from the repository's earlier runs).
      cacheTtl: config.cache.ttl === "1h" ? "1h" : "5m",
    });
  } finally {
    await shell.close();
  }
  if (result.stop === "cancelled") {
    await deps.forge.setNodeStatus(input.nodeIssue, input.spec.number, node, "cancelled", input.branch);
    return "cancelled";
  }

  // The verdict is on the node's own work alone: the shell is closed (nothing it started runs on), and what
  // is left outside the node's files is put back, before the final checks run.
  await guard.enforce();
  const state = await stateOf(copy);
  const last = reusable as Reusable | null; // set by the tools' calls, which the compiler does not follow
  const final = !hasChecks ? null : last?.state === state ? last.run : await checksNow();
  await guard.enforce();
  const verdict = final ? compareToBaseline(baseline, final) : null;
  // Only the node's own files are committed: the checks may leave build output or lockfile changes behind.
  const files = (await deps.changedFiles(dir)).filter(
    (f) => !isToolCache(f) && mayWrite(node, f, config.protectedPaths).ok,
  );
  if (verdict && !verdict.passed) {
    await deps.forge.ensureComment(
      input.nodeIssue.number,
      `result-${input.runId}`,
      failedComment(node, result, verdict),
    );
    await deps.forge.setNodeStatus(input.nodeIssue, input.spec.number, node, "failed", input.branch);
    return "failed";
  }
  const commit = await deps.commitAndPush(
    dir,
    files,
    input.revision
      ? `Revise ${node.id}: ${node.title}\n\nA revision of node ${node.id} of #${input.spec.number} (${input.spec.title}) after review, by swarm.`
      : `${node.title}\n\nNode ${node.id} of #${input.spec.number} (${input.spec.title}), by swarm.`,
  );
  const summary = handoff.summary || result.finalText || "(no summary)";
  const report = [
    `**Node \`${node.id}\` is done** on \`${input.branch}\`${commit ? ` (${commit.slice(0, 7)})` : " (no changes)"}.`,
    verdict ? checksLine(verdict, final) : "\nNo checks are configured (`validation.commands`), so none ran.",
  ].join("\n");
  const outcome: NodeResult = { summary, ...(handoff.handoff ? { handoff: handoff.handoff } : {}) };
  await deps.forge.setNodeStatus(input.nodeIssue, input.spec.number, node, "done", input.branch, {
    ...outcome,
    report,
    ...(commit ? { head: commit } : {}),
  });
  // An earlier attempt's failure comment, if there is one, says it is done now.
  await deps.forge.amendComment(input.nodeIssue.number, `result-${input.runId}`, report);
  return "done";
}

/** What the working copy holds now, beyond HEAD: each changed file with its size and time. */
async function stateOf(copy: WorkingCopy): Promise<string> {
  const changes = await copy.changes();
  return JSON.stringify(
    await Promise.all(changes.map(async (c) => [c.path, c.change, await copy.stamp(c.path)])),
  );
}

/** The install step's result when it failed, which the checks then carry; null when it passed or there is none. */
function failedOnly(install: CommandCheck | null): CommandCheck | null {
  return install && !install.passed ? install : null;
}

function checksLine(verdict: BaselineVerdict, final: CheckRun | null): string {
  const commands = final?.commands.map((c) => `\`${c.command}\``).join(", ") ?? "";
  if (verdict.preExisting.length === 0) return `\nChecks: ${commands} pass.`;
  return [
    `\nChecks: nothing that passed before this node started fails now. ${verdict.preExisting.length} failure${verdict.preExisting.length === 1 ? " was" : "s were"} already on its starting point (pre-existing, not this node's):`,
    ...verdict.preExisting.slice(0, 20).map(judgedLine),
  ].join("\n");
}

function failedComment(node: PlanNode, result: AgentResult, verdict: BaselineVerdict): string {
  return [
    `**Node \`${node.id}\` failed:** after ${result.turns} turns (${result.stop}), ${verdict.newFailures.length} check failure${verdict.newFailures.length === 1 ? "" : "s"} that ${verdict.newFailures.length === 1 ? "was" : "were"} not there before it started:`,
    "",
    ...verdict.newFailures.slice(0, 20).map(judgedLine),
    ...(verdict.preExisting.length > 0
      ? ["", `${verdict.preExisting.length} more failed already before it started (pre-existing).`]
      : []),
  ].join("\n");
}
