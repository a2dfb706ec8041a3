import type { Plan } from "./plan.js";

/**
 * The plan's interfaces as agents read them: each with its kind, the node that provides it, the nodes that
 * use it, and its definition as the planner wrote it. Empty when the plan has none.
 */
export function formatInterfaces(plan: Pick<Plan, "interfaces">): string {
  const shared = plan.interfaces ?? [];
  if (shared.length === 0) return "";
  return [
    "The interfaces the nodes share (build and use them exactly as defined here):",
    ...shared.map((i) =>
      [
        `- \`${i.name}\` (${i.kind}), provided by \`${i.provider}\`${i.users.length ? `, used by ${i.users.map((u) => `\`${u}\``).join(", ")}` : ""}:`,
        ...i.definition.split("\n").map((line) => `    ${line}`),
      ].join("\n"),
    ),
  ].join("\n");
}
