import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeEstimate, describeRoles } from "../domain/estimate/describe-estimate.js";
import { estimatePlan } from "../domain/estimate/estimate-plan.js";
import type { PlanEstimate } from "../domain/estimate/run-actuals.js";
import type { Plan } from "../domain/plan/plan.js";
import { secretsFromEnv } from "../domain/security/redact-secrets.js";
import { parseSpec } from "../domain/spec/parse-spec.js";
import { createLocalForge } from "../forge/local/create-local-forge.js";
import { connectModel } from "../model/connect-model.js";
import { loadReplay } from "../model/load-replay.js";
import { explorePlan } from "../pipeline/plan/explore-plan.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import { copyIntoRepository } from "./copy-into-repository.js";
import { readLocalCalibration } from "./local-calibration.js";
import {
  checkModelAccess,
  checkRepository,
  checkRepositoryConfig,
  checkRunsFolder,
  loadSpecFile,
  runsFolderFor,
} from "./local-inputs.js";
import { localCheckout } from "./plan-checkout.js";

/** What `swarm plan` and `swarm run` are given: a repository, a spec file, and where the model answers from. */
export type LocalSpecOptions = {
  repo: string;
  spec: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where run folders go; by default inside the repository's .git (see runsFolderFor). */
  runsDir?: string;
  replay?: string;
};

/**
 * `swarm plan --repo DIR --spec FILE`: the planner's plan for a spec against a local repository, with the
 * same repository view, code map and read-only tools it gets on GitHub. Nothing in the repository is changed.
 */
export async function planLocally(
  options: LocalSpecOptions,
): Promise<{ plan: Plan; turns: number; trace: string; estimate: PlanEstimate }> {
  const spec = parseSpec(await loadSpecFile(options.spec));
  const repo = await checkRepository(options.repo);
  await checkRepositoryConfig(repo);
  const replay = options.replay ? await loadReplay(options.replay, secretsFromEnv(options.env)) : undefined;
  checkModelAccess(options.env, options.replay, "plan");
  const runsDir = options.runsDir ?? runsFolderFor(repo, options.env);
  await checkRunsFolder(runsDir, options.env);
  const scratch = await mkdtemp(join(tmpdir(), "swarm-plan-"));
  try {
    // A plain folder is planned as it would be run: from a repository holding its files, committed.
    const repoDir =
      repo.kind === "repository" ? repo.dir : await copyIntoRepository(repo.dir, join(scratch, "repo"));
    const forge = createLocalForge({ repoDir, stateFile: join(scratch, "state.json") });
    const ref = await forge.defaultBranch();
    const config = await readRepoConfig(forge, ref);
    const runId = `plan-${Date.now().toString(36)}`;
    const runDir = join(runsDir, runId);
    const model = await connectModel({
      env: options.env,
      config,
      runId,
      runDir,
      ...(replay ? { replay } : {}),
    });
    // The planner explores a clone of what is committed, as `swarm run` would code it.
    // A replay that missed is the reason, whatever the planner made of the failed call.
    const { plan, turns } = await explorePlan(model, config, spec, ref, {
      forge,
      checkout: localCheckout(repoDir),
    }).catch((error: unknown) => {
      throw replay?.miss ?? error;
    });
    if (replay?.miss) throw replay.miss;
    // Calibrated by this repository's finished `swarm run`s, as the run's own estimate would be.
    const estimate = estimatePlan({
      plan,
      config,
      calibration: await readLocalCalibration(runsDir, repo.dir),
      spent: await model.readLedger(),
    });
    return { plan, turns, trace: join(runDir, "trace.jsonl"), estimate };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The plan as a person reads it in a terminal, with its estimate when there is one. */
export function formatPlan(plan: Plan, estimate?: PlanEstimate): string {
  const lines = [plan.summary, ""];
  for (const n of plan.nodes) {
    lines.push(`${n.id}  ${n.title}  (${n.role}, ${n.size})`);
    lines.push(`    owns: ${n.owns.join(", ")}`);
    if (n.dependsOn.length > 0) lines.push(`    after: ${n.dependsOn.join(", ")}`);
    lines.push(`    goal: ${n.goal}`);
  }
  if (estimate)
    lines.push("", `estimate: ${describeEstimate(estimate)}`, `  tokens by role: ${describeRoles(estimate)}`);
  return lines.join("\n");
}
