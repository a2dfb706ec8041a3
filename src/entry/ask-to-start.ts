import { createInterface } from "node:readline/promises";
import { describeEstimate } from "../domain/estimate/describe-estimate.js";
import type { PlanEstimate } from "../domain/estimate/run-actuals.js";
import type { Plan } from "../domain/plan/plan.js";

export type Terminal = {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
};

/** The plan as the terminal shows it before asking: its summary, its nodes in order, the estimate. */
export function planForTerminal(plan: Plan, estimate: PlanEstimate): string {
  const width = Math.max(4, ...plan.nodes.map((n) => n.id.length));
  return [
    `Plan: ${plan.summary}`,
    ...plan.nodes.map(
      (n) =>
        `  ${n.id.padEnd(width)}  ${n.title}${n.dependsOn.length > 0 ? `  (after ${n.dependsOn.join(", ")})` : ""}`,
    ),
    `Estimate: ${describeEstimate(estimate)}`,
    "",
  ].join("\n");
}

/**
 * `swarm run --approve`: shows the plan and asks "Start coding? [y/N]"; only y or yes starts. `yes` (the
 * `--yes` flag) answers for the person. Without a terminal to ask at, it answers "no-terminal" and the
 * caller refuses.
 */
export async function askToStart(
  ask: { plan: Plan; estimate: PlanEstimate },
  options: { yes: boolean; terminal: Terminal },
): Promise<boolean | "no-terminal"> {
  const { input, output } = options.terminal;
  output.write(planForTerminal(ask.plan, ask.estimate));
  if (options.yes) {
    output.write("Starting coding (--yes).\n");
    return true;
  }
  if (input.isTTY !== true) return "no-terminal";
  const rl = createInterface({ input, output, terminal: true });
  try {
    const answer = await rl.question("Start coding? [y/N] ");
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

export const NO_TERMINAL =
  "swarm run: the plan waits for approval (--approve, or limits.approval in .github/swarm.yml), but there is no terminal to ask at (standard input is not a TTY). Run it in a terminal, or add --yes to start without asking.\n";
