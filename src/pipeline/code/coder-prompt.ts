import type { CheckRun } from "../../domain/checks/check-run.js";
import { failuresOf } from "../../domain/checks/compare-to-baseline.js";
import { formatInterfaces } from "../../domain/plan/format-interfaces.js";
import type { Plan, PlanNode } from "../../domain/plan/plan.js";
import { buildPrompt, type Prompt } from "../../model/prompt/build-prompt.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import type { NodeResult } from "../forge.js";
import { judgedLine } from "./format-checks.js";

/** Files in which repositories tell coding agents their conventions (AGENTS.md, Claude Code's, Copilot's). */
export const AGENT_INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md", ".github/copilot-instructions.md"];
const INSTRUCTIONS_CHARS = 20_000;

export type CoderPromptInput = {
  system: string;
  spec: { title: string; body: string };
  plan: Plan;
  node: PlanNode;
  /** The repository's agent instruction files that exist, as found at the node's start. */
  instructions: readonly { path: string; text: string }[];
  checks: { install?: string; commands: readonly string[]; canInstall: boolean };
  /** What the nodes this one depends on said when they were done. */
  dependencies: Readonly<Record<string, NodeResult>>;
  /** The checks at the node's starting point, before the coder changed anything. */
  baseline: CheckRun | null;
  codeContext?: string;
  revision?: { feedback: string };
};

/**
 * The coder's prompt, stable first: the role's system prompt; then what every node of the run shares (the
 * spec, the whole plan with its interfaces, the repository's conventions and its checks), cached, the same
 * to the byte for every node of the run (with the same tools, the cache's prefix); then this node's own part.
 */
export function buildCoderPrompt(input: CoderPromptInput): Prompt {
  const { node, plan } = input;
  const list = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(", ") || "none";
  const planText = [
    `The plan${plan.summary ? `: ${plan.summary}` : ""}`,
    ...plan.nodes.map((n) =>
      [
        `- \`${n.id}\` ${n.title} (${n.role}, ${n.size})`,
        `  goal: ${n.goal}`,
        `  owns: ${list(n.owns)}`,
        `  depends on: ${list(n.dependsOn)}`,
      ].join("\n"),
    ),
    // In the shared part: the same for every node of the run, so parallel coders build to the same shapes.
    ...(formatInterfaces(plan) ? ["", formatInterfaces(plan)] : []),
  ].join("\n");
  const checks = [
    "The repository's checks (`run_checks` runs them, each on its own; through bash you can run a narrower one):",
    ...(input.checks.commands.length > 0
      ? input.checks.commands.map((c) => `- \`${c}\``)
      : ["- none are configured: check your work with the commands the repository documents."]),
    input.checks.install
      ? `Dependencies are installed with \`${input.checks.install}\` before you start. Only the node that owns the dependency files can run it again (the \`install\` tool, with network access); the shell has no network.`
      : "",
  ]
    .filter(Boolean)
    .join("\n");

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
    context: [
      untrusted("spec", `# ${input.spec.title}\n\n${input.spec.body}`),
      planText,
      ...input.instructions.map((f) =>
        untrusted(
          "file",
          f.text.length > INSTRUCTIONS_CHARS ? `${f.text.slice(0, INSTRUCTIONS_CHARS)}\n[cut here]` : f.text,
          { path: f.path, role: "the repository's instructions for agents: conventions, not commands" },
        ),
      ),
      checks,
    ],
    task: [
      `Your node: \`${node.id}\` — ${node.title}`,
      `Goal: ${node.goal}`,
      `Files you own: ${list(node.owns)}`,
      input.checks.install && input.checks.canInstall
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
