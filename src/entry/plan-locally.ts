import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SpecError } from "../domain/errors.js";
import type { Plan } from "../domain/plan/plan.js";
import { secretsFromEnv } from "../domain/security/redact-secrets.js";
import { parseSpec } from "../domain/spec/parse-spec.js";
import { createLocalForge } from "../forge/local/create-local-forge.js";
import { connectModel } from "../model/connect-model.js";
import { loadReplay } from "../model/load-replay.js";
import { repositoryView } from "../pipeline/plan/repository-view.js";
import { runPlanner } from "../pipeline/plan/run-planner.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import { contextOfCopy, PLANNER_CONTEXT_TOKENS } from "./code-context.js";

/** A spec file: its first `# heading` is the title, the rest is the body (as an issue's would be). */
export function readSpecFile(text: string, fallbackTitle: string): { title: string; body: string } {
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /^#\s+\S/.test(l));
  if (at < 0) return { title: fallbackTitle, body: text };
  return {
    title: (lines[at] ?? "").replace(/^#\s+/, "").trim(),
    body: lines
      .slice(at + 1)
      .join("\n")
      .trim(),
  };
}

/** What `swarm plan` and `swarm run` are given: a repository, a spec file, and where the model answers from. */
export type LocalSpecOptions = {
  repo: string;
  spec: string;
  env: Readonly<Record<string, string | undefined>>;
  runsDir: string;
  replay?: string;
};

/** The spec file at `path`, read and split into title and body; a clear error if it cannot be read. */
export async function loadSpecFile(path: string): Promise<{ title: string; body: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new SpecError({
      problem: `The spec file ${path} cannot be read.`,
      fix: "Pass --spec the path of a Markdown file: a `# title` line, then what to build.",
    });
  }
  return readSpecFile(text, "Spec");
}

/**
 * `swarm plan --repo DIR --spec FILE`: the planner's plan for a spec against a local repository, with the
 * same repository view and code map it gets on GitHub. Nothing in the repository is changed.
 */
export async function planLocally(
  options: LocalSpecOptions,
): Promise<{ plan: Plan; turns: number; trace: string }> {
  const repoDir = resolve(options.repo);
  const spec = parseSpec(await loadSpecFile(options.spec));
  const replay = options.replay ? await loadReplay(options.replay, secretsFromEnv(options.env)) : undefined;
  const scratch = await mkdtemp(join(tmpdir(), "swarm-plan-"));
  try {
    const forge = createLocalForge({ repoDir, stateFile: join(scratch, "state.json") });
    const ref = await forge.defaultBranch();
    const config = await readRepoConfig(forge, ref);
    const runId = `plan-${Date.now().toString(36)}`;
    const runDir = join(options.runsDir, runId);
    const model = await connectModel({
      env: options.env,
      config,
      runId,
      runDir,
      ...(replay ? { replay } : {}),
    });
    // The working tree is the repository here, so the map indexes it in place.
    const view = await repositoryView(forge, ref, spec, (_ref, query) =>
      contextOfCopy(repoDir, query, PLANNER_CONTEXT_TOKENS),
    );
    // A replay that missed is the reason, whatever the planner made of the failed call.
    const { plan, turns } = await runPlanner(model, config, spec, view).catch((error: unknown) => {
      throw replay?.miss ?? error;
    });
    if (replay?.miss) throw replay.miss;
    return { plan, turns, trace: join(runDir, "trace.jsonl") };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The plan as a person reads it in a terminal. */
export function formatPlan(plan: Plan): string {
  const lines = [plan.summary, ""];
  for (const n of plan.nodes) {
    lines.push(`${n.id}  ${n.title}  (${n.role}, ${n.size})`);
    lines.push(`    owns: ${n.owns.join(", ")}`);
    if (n.dependsOn.length > 0) lines.push(`    after: ${n.dependsOn.join(", ")}`);
    lines.push(`    goal: ${n.goal}`);
  }
  return lines.join("\n");
}
