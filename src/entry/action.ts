import { readFileSync } from "node:fs";
import { z } from "zod";
import { specOfIntegrationBranch } from "../domain/branch/branch-names.js";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { createGitHubForge } from "../forge/github/create-github-forge.js";
import { createOctokit } from "../forge/github/create-octokit.js";
import { parseWebhook } from "../forge/github/parse-webhook.js";
import { connectModel } from "../model/connect-model.js";
import type { ModelClient } from "../model/model-client.js";
import { recordSettled } from "../pipeline/code/record-settled.js";
import { handleCommand } from "../pipeline/commands/handle-command.js";
import { runOfCommand } from "../pipeline/commands/run-of-command.js";
import { decideIntake } from "../pipeline/intake.js";
import type { JobToEnqueue } from "../pipeline/jobs.js";
import { planSpec } from "../pipeline/plan/plan-spec.js";
import { rerunOf } from "../pipeline/review/send-revisions.js";
import { createBullmqJobQueue } from "../queue/bullmq-job-queue.js";
import { createInProcessScheduler } from "../queue/in-process-scheduler.js";
import { createRedis } from "../queue/redis.js";
import { createIntegrateProcessor } from "./integrate-processor.js";
import { createNodeRunner, type NodeRunContext, type NodeRunnerOptions } from "./node-runner.js";
import { cloneCheckout } from "./plan-checkout.js";
import { runStartOf } from "./reconcile-run.js";
import { createReviewProcessor, reviewServices } from "./review-processor.js";
import { integrateJobOf, reintegrateJobOf, startRunWith } from "./start-run.js";

// What GitHub Actions provides to a step (https://docs.github.com/actions/reference/variables-reference),
// and what action.yml passes from its inputs. The token is the workflow's GITHUB_TOKEN or an App's token.
const set = (hint: string) => z.string({ error: hint }).min(1, hint);
const ActionEnvSchema = z.object({
  GITHUB_EVENT_NAME: set("GitHub Actions sets it: run `swarm action` from a workflow (see action.yml)"),
  GITHUB_EVENT_PATH: set("GitHub Actions sets it: run `swarm action` from a workflow (see action.yml)"),
  GITHUB_REPOSITORY: set("GitHub Actions sets it to owner/name").regex(
    /^[^/\s]+\/[^/\s]+$/,
    "must be owner/name",
  ),
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  SWARM_GITHUB_TOKEN: set("pass the action's github-token input (secrets.GITHUB_TOKEN or an App's token)"),
  SWARM_RUNS_DIR: z.string().default(".swarm/runs"),
  /** Set: queue the job on this Redis for `swarm worker`s elsewhere. Unset: do the work in this job. */
  REDIS_URL: z.string().optional(),
  SWARM_PREFIX: z.string().default("swarm"),
});

export class ActionEnvError extends Error {}

export function readActionEnv(env: Readonly<Record<string, string | undefined>>) {
  const parsed = ActionEnvSchema.safeParse(env);
  if (!parsed.success)
    throw new ActionEnvError(
      `swarm action cannot start; fix these environment variables:\n${parsed.error.issues
        .map((i) => `  ${String(i.path[0])}: ${i.message}`)
        .join("\n")}`,
    );
  return parsed.data;
}

export type ActionResult = { summary: string; failed: boolean };

/**
 * The GitHub Action's entry point: the event that started the workflow is read from GITHUB_EVENT_PATH and
 * decided exactly as the App decides a webhook (same parser, same intake, same refusals). The job is then
 * queued on Redis for workers elsewhere, or done here with the in-process scheduler: plan and code the
 * nodes and open the PR; review finished checks and revise; answer `/swarm` commands.
 */
export async function runAction(env: Readonly<Record<string, string | undefined>>): Promise<ActionResult> {
  const e = readActionEnv(env);
  const payload = JSON.parse(readFileSync(e.GITHUB_EVENT_PATH, "utf8")) as Record<string, unknown>;
  // A workflow's token belongs to no App installation; the jobs carry 0 for it.
  payload.installation ??= { id: 0 };
  const event = parseWebhook(e.GITHUB_EVENT_NAME, payload);
  if (!event)
    return {
      summary: `swarm does not act on ${e.GITHUB_EVENT_NAME}.${String(payload.action)}`,
      failed: false,
    };
  const decision = decideIntake(event);
  if ("ignore" in decision) return { summary: `ignored: ${decision.ignore}`, failed: false };
  // The Action remembers nothing between events, so a moved branch changes nothing it holds.
  if ("moved" in decision) return { summary: "ignored: a run's branch moved", failed: false };
  const job = decision.enqueue;

  if (e.REDIS_URL) {
    const connection = createRedis(e.REDIS_URL);
    const queue = createBullmqJobQueue(connection, e.SWARM_PREFIX);
    try {
      await queue.add(job);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    return { summary: `queued ${job.queue} job ${job.id} for swarm's workers`, failed: false };
  }
  return runHere(job, e);
}

/** Does one job in this process, to the end of what it starts (a planned run is coded and integrated). */
async function runHere(job: JobToEnqueue, e: ReturnType<typeof readActionEnv>): Promise<ActionResult> {
  const [owner = "", name = ""] = e.GITHUB_REPOSITORY.split("/");
  const token = e.SWARM_GITHUB_TOKEN;
  const forge = createGitHubForge(createOctokit({ auth: { token }, baseUrl: e.GITHUB_API_URL }), owner, name);
  const models = new Map<string, Promise<ModelClient>>();
  // One client per run, shared by every stage of this job, so the ledger and the turn counts are the run's.
  const model = (config: RepoConfig, runId: string, runDir: string) => {
    let client = models.get(runId);
    if (!client) {
      client = connectModel({ env: process.env, config, runId, runDir });
      models.set(runId, client);
    }
    return client;
  };
  const services: NodeRunnerOptions = {
    forgeFor: () => forge,
    tokenFor: async () => token,
    model,
    runsDir: e.SWARM_RUNS_DIR,
    readLedger: async (runId) =>
      (await models.get(runId))?.readLedger() ?? { byModel: {}, byNode: {}, tokens: 0, usd: 0 },
  };
  const integrate = createIntegrateProcessor(services);
  const integrations: Promise<unknown>[] = [];
  const scheduler = createInProcessScheduler({
    runNode: createNodeRunner(services),
    // One run per job: its own limits.maxParallelNodes is the bound that matters.
    concurrency: 64,
    onSettled: async (runId, _states, context) => {
      const ctx = context as NodeRunContext;
      // Pushed at once (synchronously), so the job waits for both before it ends.
      integrations.push(
        (async () => {
          await recordSettled(
            forge,
            { ...ctx, spec: ctx.spec.number },
            () => scheduler.states(runId),
            (await services.readLedger?.(runId)) ?? null,
          );
          await integrate(integrateJobOf(runId, ctx));
        })(),
      );
    },
  });
  const rerun = rerunOf(scheduler);
  // A run started by an earlier workflow job is taken up from what the forge shows of it.
  const adopt = async (spec: number | null): Promise<string | undefined> => {
    const run = spec === null ? null : await forge.loadRun(spec);
    if (!run?.meta.runId || spec === null) return undefined;
    // A plan that waits for approval is started by its approval alone.
    if (run.meta.status === "awaiting-approval") return run.meta.runId;
    await scheduler.adopt(await runStartOf(forge, run, 0, { owner, name }), run.states);
    return run.meta.runId;
  };
  const settle = async (runId: string | undefined) => {
    if (runId) await scheduler.settled(runId).catch(() => undefined);
    // An integration queued by the last settle (a rerun may queue one more when it settles).
    while (integrations.length > 0) await integrations.shift();
  };

  let summary: string;
  let failed = false;
  if (job.queue === "plan") {
    const outcome = await planSpec(job.data, {
      forge,
      model: (config, runId) => model(config, runId, `${e.SWARM_RUNS_DIR}/${runId}`),
      scheduleNodes: (run) => startRunWith(scheduler)(run, job.data),
      checkout: cloneCheckout(services, 0, owner, name),
    });
    if (outcome.kind === "planned") await settle(outcome.runId);
    failed = outcome.kind === "failed";
    summary = `plan: ${outcome.kind}${"reason" in outcome ? ` (${outcome.reason})` : ""}${outcome.kind === "planned" ? `: ${outcome.plan.nodes.length} nodes` : ""}`;
  } else if (job.queue === "review") {
    const pr = job.data.pullNumbers[0];
    const runId = await adopt(
      specOfIntegrationBranch(job.data.headBranch ?? "") ??
        (pr ? specOfIntegrationBranch((await forge.readPullRequest(pr)).headRef) : null),
    );
    const outcome = await createReviewProcessor({ ...services, rerun })(job.data);
    summary = `review: ${outcome.kind}${"reason" in outcome ? ` (${outcome.reason})` : ""}`;
    // The revised nodes are coded here, then merged and pushed: the push starts the next checks.
    if (outcome.kind === "revising") await settle(runId);
  } else if (job.queue === "command") {
    const found = await runOfCommand(forge, job.data.issue);
    await adopt(found?.spec ?? null);
    const { forge: _forge, ...revise } = reviewServices(services, 0, owner, name);
    const outcome = await handleCommand(job.data, forge, {
      cancelRun: (runId) => scheduler.cancel(runId),
      rerun,
      revise,
      reintegrate: async (run) => {
        integrations.push(integrate(await reintegrateJobOf(forge, 0, { owner, name }, run)));
      },
      startApproved: async (run) => scheduler.start(await runStartOf(forge, run, 0, { owner, name })),
    });
    await settle(found?.run.meta.runId);
    summary = `command: ${JSON.stringify(outcome)}`;
  } else {
    await integrate(job.data);
    summary = "integrated";
  }
  await scheduler.close();
  return { summary, failed };
}
