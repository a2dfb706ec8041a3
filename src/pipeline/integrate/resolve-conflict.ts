import { z } from "zod";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import { mayWrite } from "../../domain/plan/may-write.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { ModelClient } from "../../model/model-client.js";
import { buildPrompt } from "../../model/prompt/build-prompt.js";
import { loadPrompt } from "../../model/prompt/load-prompt.js";
import { defineTool, runAgent } from "../../model/run-agent.js";
import { finishTool } from "../code/check-tools.js";
import { editorTool } from "../code/editor-tool.js";
import type { WorkingCopy } from "../working-copy.js";

const MARKER = /^(<<<<<<<|=======|>>>>>>>)( |$)/m;

/**
 * The integrator agent: with the coder's editor, limited to the conflicted files, it edits them until no
 * conflict marker is left. Returns whether it got there (the caller commits, or gives up and reports).
 */
export async function resolveConflict(
  model: ModelClient,
  config: RepoConfig,
  input: { copy: WorkingCopy; plan: Plan; nodeId: string; files: readonly string[] },
): Promise<boolean> {
  const leftovers = async () => {
    const out: string[] = [];
    for (const f of input.files) if (MARKER.test((await input.copy.read(f)) ?? "")) out.push(f);
    return out;
  };
  const involved = input.plan.nodes
    .filter((n) => n.id === input.nodeId || input.files.some((f) => mayWrite(n, f, []).ok))
    .map((n) => `- \`${n.id}\` ${n.title}: ${n.goal}`);
  const result = await runAgent(model, {
    caller: { role: "integrator", nodeId: input.nodeId },
    prompt: buildPrompt({
      system: await loadPrompt("integrator", {}),
      context: [`The nodes of the plan involved:\n${involved.join("\n")}`],
      task: `Merging node \`${input.nodeId}\` conflicted in: ${input.files.map((f) => `\`${f}\``).join(", ")}. The files hold git's conflict markers. Resolve them, run the checks (they report any marker left), and call finish.`,
    }),
    tools: [
      editorTool({
        copy: input.copy,
        node: { id: "integrator", owns: [...input.files] },
        protectedPaths: config.protectedPaths,
        maxCharacters: 40_000,
      }),
      defineTool({
        name: "run_checks",
        description: "Check the conflicted files for conflict markers left in them.",
        input: z.object({}),
        run: async () => {
          const left = await leftovers();
          return left.length === 0
            ? "No conflict markers left."
            : { content: `Conflict markers are left in ${left.join(", ")}.`, isError: true };
        },
      }),
      finishTool(() => undefined),
    ],
    limits: {
      maxTurns: Math.min(config.limits.maxCoderTurns, 20),
      maxOutputTokensPerTurn: config.agents.integrator.maxOutputTokens,
      maxTokens: config.limits.maxTokensPerNode,
      maxUsd: config.limits.maxUsdPerNode,
    },
  });
  return result.stop !== "cancelled" && (await leftovers()).length === 0;
}
