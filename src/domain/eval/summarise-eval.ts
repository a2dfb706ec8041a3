import type { TaskResult, Variant } from "./eval-task.js";

export type VariantSummary = {
  variant: Variant;
  runs: number;
  solved: number;
  solveRate: number;
  /** swarm said green, and the hidden tests failed: what a run's own checks did not catch. */
  greenButUnsolved: number;
  usd: number;
  meanUsd: number;
  meanSeconds: number;
  meanNodes: number;
};

/** Per variant: how many runs solved their task, at what cost and in what time. */
export function summariseEval(results: readonly TaskResult[]): VariantSummary[] {
  const variants = [...new Set(results.map((r) => r.variant))];
  return variants.map((variant) => {
    const runs = results.filter((r) => r.variant === variant);
    const n = runs.length || 1;
    const sum = (f: (r: TaskResult) => number) => runs.reduce((s, r) => s + f(r), 0);
    const solved = runs.filter((r) => r.solved).length;
    return {
      variant,
      runs: runs.length,
      solved,
      solveRate: solved / n,
      greenButUnsolved: runs.filter((r) => r.swarmGreen && !r.solved).length,
      usd: sum((r) => r.usd),
      meanUsd: sum((r) => r.usd) / n,
      meanSeconds: sum((r) => r.seconds) / n,
      meanNodes: sum((r) => r.nodes) / n,
    };
  });
}

/** What made the answers, said on every output: a scripted run proves the harness, not swarm. */
export function answersNote(results: readonly TaskResult[]): string | null {
  if (results.some((r) => r.answers === "scripted"))
    return `The model's answers were scripted (a stand-in, not Claude)${results.every((r) => r.answers === "scripted") ? "" : " in some runs"}: these figures prove the harness, not swarm's quality.`;
  const endpoints = [...new Set(results.flatMap((r) => r.endpoint ?? []))];
  if (endpoints.length > 0)
    return `The model's answers came from ${endpoints.join(", ")} (ANTHROPIC_BASE_URL), not Anthropic's API.`;
  return null;
}
