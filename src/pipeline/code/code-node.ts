import type { RepoConfig } from "../../domain/config/repo-config.js";
import { mayWrite } from "../../domain/plan/may-write.js";
import type { PlanNode } from "../../domain/plan/plan.js";
import type { ModelClient } from "../../model/model-client.js";
import { buildPrompt } from "../../model/prompt/build-prompt.js";
import { loadPrompt } from "../../model/prompt/load-prompt.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import { runAgent } from "../../model/run-agent.js";
import type { Forge, IssueRef } from "../forge.js";
import type { NodeOutcome } from "../scheduler.js";
import type { WorkingCopy } from "../working-copy.js";
import { type CheckReport, coderTools, type Handoff } from "./coder-tools.js";

export type CodeNodeInput = {
  runId: string;
  spec: { number: number; title: string; body: string };
  planSummary: string;
  node: PlanNode;
  nodeIssue: IssueRef;
  branch: string;
  /** Set when the node runs again after it was done: the review or request it must answer. */
  revision?: { feedback: string };
};

export type CodeNodeDeps = {
  forge: Forge;
  model: ModelClient;
  config: RepoConfig;
  /** A working copy on the node branch (base plus dependency branches), and where it is. */
  prepare: () => Promise<{ dir: string; copy: WorkingCopy }>;
  runChecks: (dir: string) => Promise<CheckReport>;
  changedFiles: (dir: string) => Promise<string[]>;
  commitAndPush: (dir: string, files: readonly string[], message: string) => Promise<string | null>;
  isCancelled: () => Promise<boolean>;
  /** The code most related to the node in its working copy, ranked, within a token budget (src/context). */
  codeContext?: (dir: string, query: { text: string; files: readonly string[] }) => Promise<string>;
};

/**
 * One node: the coder works on the node branch within its files and limits; the checks decide; the node's
 * own changes are committed and pushed; its sub-issue gets the summary (done) or the last failures (failed).
 */
export async function codeNode(input: CodeNodeInput, deps: CodeNodeDeps): Promise<NodeOutcome> {
  const node = input.node;
  const config = deps.config;
  const { dir, copy } = await deps.prepare();
  let handoff: Handoff = { summary: "", handoff: "" };
  const system = await loadPrompt("coder", { max_turns: String(config.limits.maxCoderTurns) });
  const codeContext = await deps.codeContext?.(dir, {
    text: [node.title, node.goal, ...node.acceptance, input.revision?.feedback ?? ""].join("\n"),
    files: node.owns,
  });
  const prompt = buildPrompt({
    system,
    context: [
      untrusted("spec", `# ${input.spec.title}\n\n${input.spec.body}`),
      `The plan: ${input.planSummary}`,
      ...(codeContext
        ? [
            untrusted("file", codeContext, {
              path: "(code context: your files first, then the code most related to your node)",
            }),
          ]
        : []),
    ],
    task: [
      `Your node: \`${node.id}\` — ${node.title}`,
      `Goal: ${node.goal}`,
      `Files you own: ${node.owns.map((o) => `\`${o}\``).join(", ")}`,
      `Acceptance criteria:\n${node.acceptance.map((a) => `- ${a}`).join("\n")}`,
      ...(input.revision
        ? [
            "This node is being revised. Your earlier work is already on the branch. After the nodes were merged, the pull request's review found what follows; change your files to answer it:",
            untrusted("review-comment", input.revision.feedback),
          ]
        : []),
      "Work with the tools, run the checks, and call finish when the criteria hold.",
    ].join("\n\n"),
  });
  const tools = coderTools({
    copy,
    node,
    protectedPaths: config.protectedPaths,
    runChecks: () => deps.runChecks(dir),
    onFinish: (h) => (handoff = h),
  });
  const result = await runAgent(deps.model, {
    caller: { role: "coder", nodeId: node.id },
    prompt,
    tools,
    limits: {
      maxTurns: config.limits.maxCoderTurns,
      maxOutputTokensPerTurn: 8000,
      maxTokens: config.limits.maxTokensPerNode,
      maxUsd: config.limits.maxUsdPerNode,
    },
    shouldStop: deps.isCancelled,
  });
  if (result.stop === "cancelled") {
    await deps.forge.setNodeStatus(input.nodeIssue, input.spec.number, node, "cancelled", input.branch);
    return "cancelled";
  }

  const checks =
    config.validation.commands.length > 0
      ? await deps.runChecks(dir)
      : { passed: true, summary: "no checks configured", failures: [] };
  // Only the node's own files are committed: the checks may leave build output or lockfile changes behind.
  const files = (await deps.changedFiles(dir)).filter((f) => mayWrite(node, f, config.protectedPaths).ok);
  if (!checks.passed) {
    const failures = checks.failures
      .slice(0, 20)
      .map((f) => `- \`${f.file}${f.line ? `:${f.line}` : ""}\` ${f.message.split("\n")[0]}`);
    await deps.forge.ensureComment(
      input.nodeIssue.number,
      `result-${input.runId}`,
      [
        `**Node \`${node.id}\` failed:** its checks still fail after ${result.turns} turns (${result.stop}).`,
        "",
        checks.summary,
        ...failures,
      ].join("\n"),
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
  await deps.forge.ensureComment(
    input.nodeIssue.number,
    `result-${input.runId}`,
    [
      `**Node \`${node.id}\` is done** on \`${input.branch}\`${commit ? ` (${commit.slice(0, 7)})` : " (no changes)"}.`,
      "",
      summary,
      handoff.handoff ? `\n**For the nodes that depend on this one:** ${handoff.handoff}` : "",
    ].join("\n"),
  );
  await deps.forge.setNodeStatus(input.nodeIssue, input.spec.number, node, "done", input.branch, summary);
  return "done";
}
