import { z } from "zod";
import type { CheckRun, CommandCheck } from "../../domain/checks/check-run.js";
import { compareToBaseline } from "../../domain/checks/compare-to-baseline.js";
import { type AgentTool, defineTool } from "../../model/run-agent.js";
import { formatCheckRun, formatCommand } from "./format-checks.js";
import type { OwnershipGuard } from "./ownership-guard.js";

export type Handoff = { summary: string; handoff: string };

/** `run_checks`: the repository's checks, named in its description, judged against the node's baseline. */
export function runChecksTool(options: {
  commands: readonly string[];
  runChecks: () => Promise<CheckRun>;
  baseline: CheckRun | null;
  guard: OwnershipGuard;
}): AgentTool<never> {
  const names = options.commands.map((c) => `\`${c}\``).join(", ");
  return defineTool({
    name: "run_checks",
    description: `Run the repository's checks in the sandbox, each command on its own: ${names}. Returns, per command, its exit code, the failures found in its output (marked new, or pre-existing when they already failed before you started), and the start and end of the output.`,
    input: z.object({}),
    run: async () => {
      const run = await options.runChecks();
      const verdict = compareToBaseline(options.baseline, run);
      const reverted = await options.guard.enforce();
      return {
        content: [formatCheckRun(run, options.baseline ? verdict : null), reverted]
          .filter(Boolean)
          .join("\n\n"),
        isError: !verdict.passed,
      };
    },
  });
}

/**
 * `install`: the repository's install step with the network, for the node that owns its dependency files.
 * Every coder of a run is offered it (their tools are the start of the prompt they share in the cache); it
 * refuses the others, saying why.
 */
export function installTool(options: {
  command: string;
  install: () => Promise<CommandCheck>;
  guard: OwnershipGuard;
  /** Whether this node owns the dependency files. */
  mayInstall: boolean;
}): AgentTool<never> {
  return defineTool({
    name: "install",
    description: `Install the dependencies as the repository does (\`${options.command}\`), in the sandbox with network access to the package registries. Only the node that owns the dependency manifest or lockfile may run it, after changing them; the shell has no network.`,
    input: z.object({}),
    run: async () => {
      if (!options.mayInstall)
        return {
          content:
            "Your node does not own the dependency files, so it cannot install: the dependencies were installed before you started. If your work needs a new dependency, say so in finish's `handoff` for the node that owns them.",
          isError: true,
        };
      const result = await options.install();
      const reverted = await options.guard.enforce();
      return {
        content: [formatCommand(result, undefined, true), reverted].filter(Boolean).join("\n\n"),
        isError: !result.passed,
      };
    },
  });
}

export function finishTool(onFinish: (handoff: Handoff) => void): AgentTool<never> {
  return defineTool({
    name: "finish",
    description:
      "Finish the node: `summary` says what you changed and how you checked it; `handoff` tells the nodes that depend on this one what they need (new functions and their signatures, changed behaviour, anything left undone or needed in files you do not own).",
    input: z.object({ summary: z.string().min(1), handoff: z.string().default("") }),
    run: async ({ summary, handoff }) => {
      onFinish({ summary, handoff });
      return "Recorded. End your turn now.";
    },
  });
}
