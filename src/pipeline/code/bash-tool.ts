import { z } from "zod";
import { untrusted } from "../../model/prompt/untrusted.js";
import { type AgentTool, defineTool } from "../../model/run-agent.js";
import type { ShellSession } from "../shell.js";
import type { OwnershipGuard } from "./ownership-guard.js";

// Anthropic's bash tool sends a command, or asks for a fresh session.
const BashInput = z.union([
  z.object({ restart: z.literal(true), command: z.string().optional() }),
  z.object({ command: z.string().min(1, "command is empty: send the command to run") }),
]);

/**
 * Anthropic's bash tool over a sandboxed shell session (a node's, or the planner's read-only one). Each
 * result has the output (start and end kept), the exit code, and what happened besides: a time limit that
 * killed the command and restarted the shell, and any change outside the node's files that was reverted
 * (with a `guard`; a read-only mount needs none).
 */
export function bashTool(options: {
  shell: ShellSession;
  guard?: OwnershipGuard;
  commandSeconds: number;
}): AgentTool<never> {
  return defineTool({
    name: "bash",
    description: "",
    builtin: { type: "bash_20250124", name: "bash" },
    input: BashInput,
    run: async (input) => {
      if ("restart" in input) {
        await options.shell.restart();
        return "Bash session restarted: a fresh shell at /workspace, the working copy; earlier cd and variables are gone.";
      }
      const r = await options.shell.run(input.command);
      const reverted = (await options.guard?.enforce()) ?? null;
      const notes: string[] = [];
      if (r.timedOut)
        notes.push(
          `Error: the command did not finish within ${options.commandSeconds} seconds, so it was killed with everything it started, and the shell restarted (cd and variables are reset). Give long commands a limit of their own (timeout 60 …), or run a server in the background with its output sent to a file.`,
        );
      else if (r.limitsHit.length > 0)
        notes.push(
          `Error: the command was stopped by the sandbox's ${r.limitsHit.join(" and ")} limit, and the shell restarted (cd and variables are reset).`,
        );
      else if (r.sessionEnded)
        notes.push("The shell exited; the next command starts a fresh one at /workspace.");
      if (reverted) notes.push(reverted);
      const status = r.exitCode === null ? "" : `exit code ${r.exitCode}`;
      const output = r.output.trim() ? untrusted("tool-output", r.output.replace(/\n$/, "")) : "(no output)";
      return {
        content: [output, status, ...notes].filter(Boolean).join("\n"),
        isError: r.exitCode !== 0,
      };
    },
  });
}
