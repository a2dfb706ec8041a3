import type { Ledger } from "../domain/budget/budget.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { actualsOfRun } from "../domain/estimate/actuals-of-run.js";
import type { RunActuals } from "../domain/estimate/run-actuals.js";
import type { RunStatus } from "../domain/state/run-status.js";
import type { LoadedRun } from "../pipeline/forge.js";
import type { NodeRunner } from "../pipeline/scheduler.js";
import type { RedisCalibration } from "../queue/redis-calibration.js";

/** The moments of a run that its actuals are made of, as `RedisCalibration.mark` records them. */
export const MOMENTS = {
  /** The plan job that made the plan began. */
  started: "started",
  /** Coding began: the plan was laid out (and approved, where approval was asked for). */
  planned: "planned",
  nodeStart: (id: string) => `node:${id}:start`,
  nodeEnd: (id: string) => `node:${id}:end`,
  /** Not a moment: how long the node's baseline run of the checks took, in milliseconds. */
  checks: (id: string) => `node:${id}:checks-ms`,
} as const;

/** Marks each node's first coding, start and end, around the node runner (a retry or revision is not first). */
export function timingNodes(calibration: RedisCalibration, run: NodeRunner): NodeRunner {
  return async (task) => {
    const mark = (moment: string) => calibration.mark(task.runId, moment).catch(() => undefined);
    await mark(MOMENTS.nodeStart(task.node.id));
    const outcome = await run(task);
    if (outcome === "done") await mark(MOMENTS.nodeEnd(task.node.id));
    return outcome;
  };
}

/**
 * What a run on GitHub took, from its dashboard's record, its ledger and the moments workers marked; null
 * when a moment is missing (the run began before this was recorded, or Redis was lost meanwhile).
 */
export function actualsOfGithubRun(input: {
  run: LoadedRun;
  status: RunStatus;
  times: Readonly<Record<string, number>>;
  ledger: Ledger | null;
  models: RepoConfig["models"];
  now?: number;
}): RunActuals | null {
  const { run, times, ledger } = input;
  const started = times[MOMENTS.started];
  const planned = times[MOMENTS.planned];
  if (!run.meta.runId || started === undefined || planned === undefined || !ledger) return null;
  const now = input.now ?? Date.now();
  const nodeSeconds: Record<string, number> = {};
  for (const n of run.plan.nodes) {
    const start = times[MOMENTS.nodeStart(n.id)];
    const end = times[MOMENTS.nodeEnd(n.id)];
    if (start !== undefined && end !== undefined) nodeSeconds[n.id] = (end - start) / 1000;
  }
  const checks = run.plan.nodes.flatMap((n) => times[MOMENTS.checks(n.id)] ?? []);
  return actualsOfRun({
    runId: run.meta.runId,
    status: input.status,
    finishedAt: new Date(now).toISOString(),
    plan: run.plan,
    ledger,
    models: input.models,
    estimate: run.meta.estimate ?? null,
    seconds: (now - started) / 1000,
    // An approval's wait belongs to planning: the estimate counts from the start of coding.
    planSeconds: (planned - started) / 1000,
    nodeSeconds,
    // The first review, and one more after each revision round.
    reviews: (run.meta.round ?? 0) + 1,
    ...(checks.length > 0 ? { checkSeconds: Math.max(...checks) / 1000 } : {}),
  });
}
