import type { Redis } from "ioredis";
import { redactSecrets, secretsFromEnv } from "../domain/security/redact-secrets.js";
import { recordSettled } from "../pipeline/code/record-settled.js";
import { type CommandOutcome, handleCommand } from "../pipeline/commands/handle-command.js";
import type { LoadedRun } from "../pipeline/forge.js";
import type { IntegrateOutcome } from "../pipeline/integrate/integrate-run.js";
import { type CommandJob, type IntegrateJob, jobId, type PlanJob, type ReviewJob } from "../pipeline/jobs.js";
import type { PlanOutcome, ScheduledRun } from "../pipeline/plan/plan-spec.js";
import type { ReviewOutcome } from "../pipeline/review/review-checks.js";
import { rerunOf } from "../pipeline/review/send-revisions.js";
import { createBullmqJobQueue, startWorker } from "../queue/bullmq-job-queue.js";
import { createRedisCalibration } from "../queue/redis-calibration.js";
import { withRedisLock } from "../queue/redis-lock.js";
import { createRedisScheduler } from "../queue/redis-scheduler.js";
import { createRunRegistry, type RunCoordinates } from "../queue/run-registry.js";
import { actualsOfGithubRun, MOMENTS, timingNodes } from "./github-calibration.js";
import { createIntegrateProcessor } from "./integrate-processor.js";
import { createNodeRunner, type NodeRunContext, type NodeRunnerOptions } from "./node-runner.js";
import { cloneCheckout } from "./plan-checkout.js";
import { createPlanProcessor } from "./plan-processor.js";
import { LIVE_STATUSES, reconcileRun, runStartOf } from "./reconcile-run.js";

import { createReviewProcessor, reviewServices } from "./review-processor.js";
import { integrateJobOf, reintegrateJobOf, reviewJobOf, startRunWith } from "./start-run.js";

export type WorkerWiring = {
  /** A new Redis connection (BullMQ workers block on theirs, so each gets its own). */
  connect: () => Redis;
  prefix: string;
  concurrency: number;
  stalledIntervalMs?: number;
  /** How often live runs are checked against GitHub (to take up one whose Redis state was lost). */
  sweepIntervalMs?: number;
  services: NodeRunnerOptions;
  /** Planned runs are coded (true in production; planning tests may stop at the plan). */
  execute?: boolean;
  dashboardWaitMs?: number;
  /** Told of the queues' and workers' `error` events (a lost Redis connection, mostly). */
  onQueueError?: (error: unknown) => void;
  /** Where a failed job's one-line reason goes (the worker's stderr). */
  log?: (line: string) => void;
  /** Told how long each job took (for /metrics). */
  timeJob?: (queue: string, seconds: number, outcome: "ok" | "error") => void;
  /** Tests watch what each job decided. */
  observe?: {
    plan?: (o: PlanOutcome) => void;
    command?: (o: CommandOutcome) => void;
    review?: (o: ReviewOutcome) => void;
    integrate?: (o: IntegrateOutcome) => void;
  };
};

/**
 * Every queue of swarm served by this process: plan, command, node (through the scheduler), integrate and
 * review. When a run's last node finishes, an integrate job is queued; when checks finish, a review job is.
 */
export function startJobWorkers(w: WorkerWiring) {
  const timed =
    <T, O>(queue: string, process: (job: T) => Promise<O>) =>
    async (job: T): Promise<O> => {
      const started = performance.now();
      let outcome: "ok" | "error" = "error";
      try {
        const result = await process(job);
        outcome = "ok";
        return result;
      } catch (error) {
        // One line per failed attempt, for the operator; what the user sees is the stage's own comment.
        const reason =
          error instanceof Error
            ? `${error.name}: ${error.message.split("\n")[0]?.slice(0, 300)}`
            : String(error);
        w.log?.(
          `swarm worker: a ${queue} job failed: ${redactSecrets(reason, secretsFromEnv(globalThis.process.env))}`,
        );
        throw error;
      } finally {
        w.timeJob?.(queue, (performance.now() - started) / 1000, outcome);
      }
    };
  // BullMQ leaves the connections it is given open on close, so they are kept here to close.
  const opened: Redis[] = [];
  const connect = () => {
    const c = w.connect();
    opened.push(c);
    return c;
  };
  const connection = connect();
  const queue = createBullmqJobQueue(connection, w.prefix, w.onQueueError);
  // Each run's moments and each repository's finished runs, which calibrate the next plan's estimate.
  const calibration = createRedisCalibration(connection, w.prefix);
  const markQuietly = (runId: string, moment: string, at?: number) =>
    calibration.mark(runId, moment, at).catch(() => undefined);
  const scheduler = createRedisScheduler({
    connection: connect(),
    prefix: w.prefix,
    concurrency: w.concurrency,
    ...(w.stalledIntervalMs ? { stalledIntervalMs: w.stalledIntervalMs } : {}),
    ...(w.onQueueError ? { onError: w.onQueueError } : {}),
    ...(w.execute === false
      ? {}
      : {
          runNode: timed(
            "node",
            timingNodes(
              calibration,
              createNodeRunner({
                ...w.services,
                noteChecks: (runId, nodeId, seconds) =>
                  calibration.mark(runId, MOMENTS.checks(nodeId), Math.round(seconds * 1000)),
              }),
            ),
          ),
        }),
    onSettled: async (runId, _states, context, settling) => {
      const ctx = context as NodeRunContext;
      // One job per settling: a revision that settles while the last one's merge is still at work (a job
      // taken up after its worker died, say) must not find that job's id taken and be dropped.
      await queue.add({
        queue: "integrate",
        id: jobId("integrate", ctx.repo.owner, ctx.repo.name, runId, `s${settling}`),
        data: integrateJobOf(runId, ctx),
      });
      // Queued first: the merge itself checks that every node is done. Then the forge is brought in line
      // with the scheduler; best effort, since a failure here must not fail the node job that settled it.
      await recordSettled(
        w.services.forgeFor(ctx.installationId, ctx.repo.owner, ctx.repo.name),
        { ...ctx, spec: ctx.spec.number },
        () => scheduler.states(runId),
        (await w.services.readLedger?.(runId)) ?? null,
      ).catch(() => undefined);
    },
  });
  const rerun = rerunOf(scheduler);
  // A killed holder's lock lapses on the scale of the stalled check, when its job is taken up again.
  const lockMs = Math.max(1000, (w.stalledIntervalMs ?? 30_000) * 2);
  const registry = createRunRegistry(connection, w.prefix);
  // A live run the scheduler has lost is taken up from GitHub, and kept in the registry for the sweep.
  const reconcileFor =
    (installationId: number, repo: { owner: string; name: string }) => async (run: LoadedRun) => {
      if (w.execute === false || !run.meta.runId) return null;
      if (LIVE_STATUSES.includes(run.meta.status))
        await registry.add(run.meta.runId, { installationId, ...repo, spec: run.spec });
      return reconcileRun(
        {
          forge: w.services.forgeFor(installationId, repo.owner, repo.name),
          scheduler,
          queue,
          installationId,
          repo,
        },
        run,
      );
    };
  const schedule = startRunWith(scheduler);
  // Coding begins (a plan laid out, or approved): the moment is kept for the estimate, the run is kept for
  // the sweep, then the scheduler starts its nodes.
  const beginCoding = async (runId: string, at: RunCoordinates, start: () => Promise<void>) => {
    await markQuietly(runId, MOMENTS.planned);
    await registry.add(runId, at);
    await start();
  };
  // One plan job per spec at a time (a label and `/swarm retry`, say): the second then finds the run.
  const planSpecOf = createPlanProcessor({
    forgeFor: w.services.forgeFor,
    runsDir: w.services.runsDir,
    model: w.services.model,
    ...(w.dashboardWaitMs === undefined ? {} : { dashboardWaitMs: w.dashboardWaitMs }),
    ...(w.execute === false
      ? {}
      : {
          scheduleNodes: (run: ScheduledRun, job: PlanJob) =>
            beginCoding(
              run.runId,
              { installationId: job.installationId, ...job.repo, spec: run.spec.number },
              () => schedule(run, job),
            ),
        }),
    reconcileFor: (job) => reconcileFor(job.installationId, job.repo),
    checkout: (job) => cloneCheckout(w.services, job.installationId, job.repo.owner, job.repo.name),
    calibrationFor: (job) => () => calibration.read(job.repo),
  });
  const planLocked = <T>(repo: { owner: string; name: string }, spec: number, work: () => Promise<T>) =>
    withRedisLock(connection, `${w.prefix}:plan-lock:${repo.owner}/${repo.name}#${spec}`, lockMs, work);
  const plan = (job: PlanJob) =>
    planLocked(job.repo, job.spec.number, async () => {
      const began = Date.now();
      const outcome = await planSpecOf(job);
      if (outcome.kind === "planned" || outcome.kind === "awaiting-approval")
        await markQuietly(outcome.runId, MOMENTS.started, began);
      return outcome;
    });
  // Each check that finishes queues a review job, so several may arrive for one commit at once: they take
  // turns, and the first to find every check complete reviews it; the others then find it reviewed. An
  // integration that announces a head again takes the same turn, so it cannot undo a review of it.
  const reviewLock =
    (repo: { owner: string; name: string }) =>
    <T>(headSha: string, work: () => Promise<T>) =>
      withRedisLock(
        connection,
        `${w.prefix}:review-lock:${repo.owner}/${repo.name}:${headSha}`,
        lockMs,
        work,
      );
  // One merge of a run at a time: after Redis is lost, a rebuilt run's merge may meet one still at work.
  // Each PR head swarm pushes gets a review job `validation.ciWaitMinutes` later: if no check has
  // appeared by then (a repository without PR workflows), swarm runs `validation.ci` itself and reviews.
  const integrateRun = createIntegrateProcessor(
    w.services,
    (job, opened, integration, config) =>
      queue.add({
        queue: "review",
        id: jobId("review-ci", job.repo.owner, job.repo.name, opened.headSha),
        data: {
          ...reviewJobOf(job.installationId, job.repo, {
            number: opened.pullRequest.number,
            headSha: opened.headSha,
            headBranch: integration,
          }),
          ciFallback: true,
        },
        delayMs: Math.round(config.validation.ciWaitMinutes * 60_000),
      }),
    (job) => reviewLock(job.repo),
  );
  const integrate = (job: IntegrateJob) =>
    withRedisLock(
      connection,
      `${w.prefix}:integrate-lock:${job.repo.owner}/${job.repo.name}:${job.runId}`,
      lockMs,
      () => integrateRun(job),
    );
  const reviewCommit = createReviewProcessor({
    ...w.services,
    rerun,
    reconcileFor: (job) => reconcileFor(job.installationId, job.repo),
    finishedFor: (job, config) => async (run, status) => {
      if (!run.meta.runId) return;
      const actuals = actualsOfGithubRun({
        run,
        status,
        times: await calibration.times(run.meta.runId),
        ledger: (await w.services.readLedger?.(run.meta.runId)) ?? null,
        models: config.models,
      });
      if (actuals) await calibration.record(job.repo, actuals);
    },
  });

  // The sweep: every interval, one worker checks the live runs; one the scheduler no longer holds (seen
  // so on two sweeps in a row, so the claims of nodes still being coded are back) is rebuilt from GitHub.
  const sweepMs = w.sweepIntervalMs ?? 60_000;
  const missing = new Set<string>();
  const sweep = async () => {
    if ((await connection.set(`${w.prefix}:sweep-lock`, "1", "PX", sweepMs, "NX")) !== "OK") return;
    for (const [runId, at] of await registry.all()) {
      if (await scheduler.knows(runId)) {
        missing.delete(runId);
        continue;
      }
      if (!missing.has(runId)) {
        missing.add(runId);
        continue;
      }
      missing.delete(runId);
      const run = await w.services.forgeFor(at.installationId, at.owner, at.name).loadRun(at.spec);
      if (!run || run.meta.runId !== runId || !LIVE_STATUSES.includes(run.meta.status)) {
        await registry.remove(runId);
        continue;
      }
      await reconcileFor(at.installationId, { owner: at.owner, name: at.name })(run);
    }
  };
  const sweeper =
    w.execute === false
      ? undefined
      : setInterval(() => void sweep().catch(() => undefined), Math.max(100, sweepMs / 2));
  sweeper?.unref();
  const review = (job: ReviewJob) => reviewLock(job.repo)(job.headSha, () => reviewCommit(job));
  const observed = <T, O>(queue: string, process: (job: T) => Promise<O>, watch?: (o: O) => void) =>
    timed(queue, async (job: T) => {
      const outcome = await process(job);
      watch?.(outcome);
      return outcome;
    });
  const options = {
    prefix: w.prefix,
    concurrency: w.concurrency,
    ...(w.stalledIntervalMs ? { stalledIntervalMs: w.stalledIntervalMs } : {}),
    ...(w.onQueueError ? { onError: w.onQueueError } : {}),
  };
  const workers = [
    startWorker<PlanJob>("plan", observed("plan", plan, w.observe?.plan), {
      connection: connect(),
      ...options,
    }),
    startWorker<CommandJob>(
      "command",
      observed(
        "command",
        (job: CommandJob) => {
          const { forge, ...revise } = reviewServices(
            w.services,
            job.installationId,
            job.repo.owner,
            job.repo.name,
          );
          // An approval takes the spec's plan lock: two approvers at once, or an approval during a replan,
          // then take turns, and the second finds the run's status moved on.
          const command = () =>
            handleCommand(job, forge, {
              cancelRun: (runId) => scheduler.cancel(runId),
              rerun,
              revise,
              reconcile: reconcileFor(job.installationId, job.repo),
              planAgain: (spec) =>
                queue.add({
                  queue: "plan",
                  id: jobId("plan", job.repo.owner, job.repo.name, spec, "retry", job.commentId),
                  data: {
                    installationId: job.installationId,
                    repo: job.repo,
                    spec: { number: spec, title: "", body: null },
                    trigger: { kind: "command", verb: "retry", commentId: job.commentId },
                    sender: job.sender,
                  },
                }),
              reviewAgain: (pull) =>
                queue.add({
                  queue: "review",
                  id: jobId("review", job.repo.owner, job.repo.name, pull.headSha, "retry", job.commentId),
                  data: reviewJobOf(job.installationId, job.repo, pull),
                }),
              startApproved: async (run) => {
                if (!run.meta.runId) return;
                const forgeOf = () => w.services.forgeFor(job.installationId, job.repo.owner, job.repo.name);
                await beginCoding(
                  run.meta.runId,
                  { installationId: job.installationId, ...job.repo, spec: run.spec },
                  async () =>
                    scheduler.start(
                      await runStartOf(forgeOf(), run, job.installationId, job.repo, () =>
                        calibration.read(job.repo),
                      ),
                    ),
                );
              },
              reintegrate: async (run) =>
                queue.add({
                  queue: "integrate",
                  id: jobId("integrate", job.repo.owner, job.repo.name, run.runId, "retry", job.commentId),
                  data: await reintegrateJobOf(forge, job.installationId, job.repo, run),
                }),
            });
          return job.command.verb === "approve" ? planLocked(job.repo, job.issue.number, command) : command();
        },
        w.observe?.command,
      ),
      { connection: connect(), ...options },
    ),
    startWorker<IntegrateJob>("integrate", observed("integrate", integrate, w.observe?.integrate), {
      connection: connect(),
      ...options,
    }),
    startWorker<ReviewJob>("review", observed("review", review, w.observe?.review), {
      connection: connect(),
      ...options,
    }),
  ];
  return {
    queue,
    scheduler,
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await Promise.all(workers.map((worker) => worker.close()));
      await scheduler.close();
      await queue.close();
      for (const c of opened) c.disconnect();
    },
    /**
     * Stops at once, without waiting for the jobs in hand (Redis is gone, so they could not be recorded):
     * their locks lapse and BullMQ's stalled check gives them to another worker.
     */
    abandon() {
      if (sweeper) clearInterval(sweeper);
      for (const worker of workers) void worker.close(true).catch(() => undefined);
      for (const c of opened) c.disconnect();
    },
  };
}
