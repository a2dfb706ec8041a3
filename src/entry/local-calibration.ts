import { appendFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type RunActuals, RunActualsSchema } from "../domain/estimate/run-actuals.js";

/**
 * The actuals of a repository's finished local runs, one JSON line each, beside the run folders. It is kept
 * when `swarm clean` removes the folders: the next estimate still learns from those runs. A runs folder set
 * with SWARM_RUNS_DIR may serve several repositories, so each line names its own.
 */
export const CALIBRATION_FILE = "calibration.jsonl";

/** The newest runs that calibrate an estimate: enough to average, recent enough to reflect the code now. */
const KEEP = 20;

export async function readLocalCalibration(runsDir: string, repo: string): Promise<RunActuals[]> {
  const text = await readFile(join(runsDir, CALIBRATION_FILE), "utf8").catch(() => "");
  const runs: RunActuals[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const { repo: of, ...rest } = JSON.parse(line) as { repo?: unknown };
      const parsed = RunActualsSchema.safeParse(rest);
      // A line cut short or from another version is skipped, never a reason to refuse a plan.
      if (of === repo && parsed.success) runs.push(parsed.data);
    } catch {}
  }
  return runs.slice(-KEEP);
}

export async function recordLocalActuals(runsDir: string, repo: string, actuals: RunActuals): Promise<void> {
  await appendFile(join(runsDir, CALIBRATION_FILE), `${JSON.stringify({ repo, ...actuals })}\n`);
}
