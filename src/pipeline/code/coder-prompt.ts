import type { CheckRun } from "../../domain/checks/check-run.js";
import { failuresOf } from "../../domain/checks/compare-to-baseline.js";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { Plan, PlanNode } from "../../domain/plan/plan.js";
import { buildPrompt, type Prompt } from "../../model/prompt/build-prompt.js";
import { loadPrompt } from "../../model/prompt/load-prompt.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import type { NodeResult } from "../forge.js";
import { judgedLine } from "./format-checks.js";
import type { RunBlock } from "./run-block.js";

export type CoderPromptInput = {
  system: string;
  /** What every node of the run shares, made once for the run (the spec, plan, conventions, map, checks). */
  run: RunBlock;
  plan: Plan;
  node: PlanNode;
  /** Whether the install tool may run for this node (it owns the dependency files). */
  canInstall: boolean;
  /** What the nodes this one depends on said when they were done. */
  dependencies: Readonly<Record<string, NodeResult>>;
  /** The checks at the node's starting point, before the coder changed anything. */
  baseline: CheckRun | null;
  codeContext?: string;
  revision?: { feedback: string };
};

/** The coder's system prompt: the same for every coder of a repository's runs. */
export function coderSystemPrompt(config: RepoConfig): Promise<string> {
  return loadPrompt("coder", {
    max_turns: String(config.limits.maxCoderTurns),
    shell_seconds: String(config.sandbox.shellSeconds),
  });
}

/**
 * The coder's prompt, stable first: the role's system prompt; then the run block every node of the run
 * shares, cached (with the same tools, the cache's prefix for the whole run); then this node's own part,
 * cached too, so its conversation's first turn is read back by the next.
 */
export function buildCoderPrompt(input: CoderPromptInput): Prompt {
  const { node, plan } = input;
  const list = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(", ") || "none";
  const depends = node.dependsOn.map((id) => {
    const result = input.dependencies[id];
    const title = plan.nodes.find((n) => n.id === id)?.title ?? "";
    if (!result) return `\`${id}\` ${title}: done; it left no summary.`;
    const text = `Summary: ${result.summary}${result.handoff ? `\nHandoff note: ${result.handoff}` : ""}`;
    return `\`${id}\` ${title}, merged into your branch:\n${untrusted("handoff", text, { node: id })}`;
  });
  const before = failuresOf(input.baseline);
  const baseline = !input.baseline
    ? ""
    : before.length === 0
      ? "Before you started, the checks ran on your starting point and passed."
      : `Before you started, the checks ran on your starting point and ${before.length} failure${before.length === 1 ? " was" : "s were"} already there (pre-existing; they do not count against you):\n${untrusted(
          "check-log",
          before.slice(0, 20).map(judgedLine).join("\n"),
        )}`;

  return buildPrompt({
    system: input.system,
    context: input.run,
    task: [
      `Your node: \`${node.id}\` — ${node.title}`,
      `Goal: ${node.goal}`,
      `Files you own: ${list(node.owns)}`,
      input.canInstall
        ? "Your node owns the dependency files: after you change them, the `install` tool runs the install again with network access."
        : "",
      `Acceptance criteria:\n${node.acceptance.map((a) => `- ${a}`).join("\n")}`,
      depends.length > 0 ? `The nodes yours builds on:\n\n${depends.join("\n\n")}` : "",
      baseline,
      input.codeContext
        ? untrusted("file", input.codeContext, {
            path: "(code context: your files first, then the code most related to your node)",
          })
        : "",
      ...(input.revision
        ? [
            "This node is being revised. Your earlier work is already on the branch. After the nodes were merged, the pull request's review found what follows; change your files to answer it:",
            untrusted("review-comment", input.revision.feedback),
          ]
        : []),
      "Explore, make the change, check it, and call finish when the criteria hold.",
    ]
      .filter(Boolean)
      .join("\n\n"),
  });
}
