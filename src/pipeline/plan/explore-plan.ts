import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { Plan } from "../../domain/plan/plan.js";
import type { Spec } from "../../domain/spec/spec.js";
import type { ModelClient } from "../../model/model-client.js";
import { type RunFiles, runFilesOf } from "../code/run-block.js";
import type { Forge } from "../forge.js";
import { headFiles } from "../review/head-files.js";
import type { CheckoutFor } from "./planner-checkout.js";
import { type CodeContext, repositoryView } from "./repository-view.js";
import { runPlanner } from "./run-planner.js";

/**
 * The planner's plan, exploring a checkout of `ref` when one can be had, else the forge's files of it. With
 * a checkout, also what the coders' run block takes from the repository (read from it while it is here).
 */
export function explorePlan(
  model: ModelClient,
  config: RepoConfig,
  spec: Spec,
  ref: string,
  deps: { forge: Forge; checkout?: CheckoutFor; codeContext?: CodeContext },
  /** `/swarm replan <feedback>`: a person's comment on the last plan, untrusted like the spec. */
  feedback?: string,
): Promise<{ plan: Plan; turns: number; runFiles?: RunFiles }> {
  const { forge } = deps;
  const shellSeconds = config.sandbox.shellSeconds;
  if (!deps.checkout) {
    const files = headFiles(forge, ref);
    return repositoryView(files, ref, spec, deps.codeContext).then((view) =>
      runPlanner(model, config, spec, view, { files, shell: null, shellSeconds }, feedback),
    );
  }
  // With a checkout, the planner's first view is read from it too: no API request for the tree or files.
  return deps.checkout(ref, async (checkout) => {
    const map = checkout.codeContext;
    const view = await repositoryView(
      checkout.files,
      ref,
      spec,
      map ? (_ref, query) => map(query) : deps.codeContext,
    );
    const shell = checkout.openShell(config.sandbox);
    const planned = await runPlanner(
      model,
      config,
      spec,
      view,
      { files: checkout.files, shell, shellSeconds },
      feedback,
    );
    return { ...planned, runFiles: await runFilesOf(checkout.files) };
  });
}
