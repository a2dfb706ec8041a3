import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { findIntegrationBranch } from "../domain/branch/branch-names.js";
import type { Ledger } from "../domain/budget/budget.js";
import { actualsOfRun } from "../domain/estimate/actuals-of-run.js";
import type { PlanEstimate } from "../domain/estimate/run-actuals.js";
import { secretsFromEnv } from "../domain/security/redact-secrets.js";
import type { NodeStatus } from "../domain/state/node-status.js";
import type { RunStatus } from "../domain/state/run-status.js";
import { createLocalForge, openLocalSpec } from "../forge/local/create-local-forge.js";
import { localStateFile } from "../forge/local/local-state.js";
import { connectModel } from "../model/connect-model.js";
import { loadReplay } from "../model/load-replay.js";
import type { ReplayTransport } from "../model/replay-transport.js";
import { recordSettled } from "../pipeline/code/record-settled.js";
import { refreshDashboard } from "../pipeline/dashboard/refresh-dashboard.js";
import type { PlanJob } from "../pipeline/jobs.js";
import { type PlanDeps, planSpec } from "../pipeline/plan/plan-spec.js";
import { readRepoConfig } from "../pipeline/read-repo-config.js";
import { renderReport } from "../pipeline/report/render-report.js";
import { NO_CHECKS } from "../pipeline/review/check-verdict.js";
import { type Rerun, rerunOf } from "../pipeline/review/send-revisions.js";
import { createInProcessScheduler } from "../queue/in-process-scheduler.js";
import { git } from "../workspace/git-workspace.js";
import { createInstallReuse } from "../workspace/install-reuse.js";
import { copyIntoRepository } from "./copy-into-repository.js";
import { createIntegrateProcessor } from "./integrate-processor.js";
import { readLocalCalibration, recordLocalActuals } from "./local-calibration.js";
import { runLocalCi } from "./local-ci.js";
import {
  checkModelAccess,
  checkRepository,
  checkRepositoryConfig,
  checkRunsFolder,
  loadSpecFile,
  type RepositoryKind,
  runsFolderFor,
} from "./local-inputs.js";
import { createNodeRunner, type NodeRunContext, type NodeRunnerOptions } from "./node-runner.js";
import { localCheckout } from "./plan-checkout.js";
import type { LocalSpecOptions } from "./plan-locally.js";
import { type RunNumber, reserveRunNumber } from "./reserve-run-number.js";
import { createReviewProcessor } from "./review-processor.js";
import { integrateJobOf, startRunWith } from "./start-run.js";

/** What the terminal shows as the run goes: stages, node states, checks, spending. */
export type RunEvent =
  | { kind: "notice"; text: string }
  | { kind: "stage"; text: string }
  | { kind: "plan"; nodes: { id: string; title: string }[] }
  | { kind: "estimate"; estimate: PlanEstimate }
  | { kind: "node"; id: string; status: NodeStatus; at: number }
  | { kind: "check"; name: string; state: "running" | "passed" | "failed" }
  | { kind: "spend"; ledger: Ledger };

export type LocalRunResult = {
  status: RunStatus | "refused";
  headline: string;
  runDir: string;
  report: { markdown: string; html: string };
  repoDir: string;
  /** The branch the result is on, and the one it is meant for. */
  branch: string | null;
  base: string;
  /** What swarm said on the spec besides the dashboard (errors, why it stopped), as Markdown. */
  notes: string[];
};

export type LocalRunOptions = LocalSpecOptions & {
  onEvent?: (e: RunEvent) => void;
  /** Aborted (Ctrl-C): the run is cancelled, nodes stop at their next turn, and the report is written. */
  signal?: AbortSignal;
  /**
   * Asked when the plan waits for approval (`limits.approval`, or `approve`): true starts coding. Without
   * it, such a plan is not started.
   */
  confirmStart?: PlanDeps["confirmStart"];
  /** Ask before coding whatever `limits.approval` says (`swarm run --approve`). */
  approve?: boolean;
};

/**
 * `swarm run`: the whole pipeline against a local git repository, in this process. The local forge keeps
 * what GitHub would (the spec, sub-issues, the PR, checks, reviews); the in-process scheduler codes the
 * nodes on branches of the repository; the repository's checks run in the sandbox where CI would; the
 * review loop revises nodes until they pass or a limit stops it. Ends with a report.
 */
export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const started = Date.now();
  // Everything the run is given is checked before anything is made, so a refused start leaves nothing.
  const spec = await loadSpecFile(options.spec);
  const repo = await checkRepository(options.repo);
  await checkRepositoryConfig(repo);
  const recorded = options.replay ? undefined : recordedTraceFor(options.spec, options.env);
  const replay = options.replay ?? recorded;
  // The trace is read and checked before anything is made, so a bad one leaves no run folder or branch.
  const replayer = replay ? await loadReplay(replay, secretsFromEnv(options.env)) : undefined;
  checkModelAccess(options.env, replay, "run");
  const runsDir = options.runsDir ?? runsFolderFor(repo, options.env);
  await checkRunsFolder(runsDir, options.env);
  const slot = repo.kind === "repository" ? await reserveRunNumber(repo.dir, repo.gitDir) : null;
  try {
    return await runPrepared(
      { ...options, runsDir, replay },
      { started, spec, repo, slot, recorded: recorded !== undefined, replayer },
    );
  } finally {
    await slot?.release();
  }
}

type Prepared = {
  started: number;
  spec: { title: string; body: string };
  repo: RepositoryKind;
  slot: RunNumber | null;
  /** The answers come from the trace beside the spec because there is no key (the demo). */
  recorded: boolean;
  replayer: ReplayTransport | undefined;
};

async function runPrepared(
  options: LocalRunOptions & { runsDir: string; replay: string | undefined },
  { started, spec, repo: given, slot, recorded, replayer }: Prepared,
): Promise<LocalRunResult> {
  // The report's timeline and node times come from the same events the terminal shows.
  const stages: { at: number; text: string }[] = [];
  const sinceStart = (at: number) => (at - started) / 1000;
  // When the plan was made: the estimate counts from here.
  const planning: { doneAt: number | null } = { doneAt: null };
  const nodeSpans: Record<string, { start: number; end: number }[]> = {};
  const nodeSince: Record<string, number> = {};
  const emit = (e: RunEvent) => {
    if (e.kind === "stage") stages.push({ at: sinceStart(Date.now()), text: e.text });
    if (e.kind === "node" && e.status === "running") nodeSince[e.id] = e.at;
    else if (e.kind === "node" && nodeSince[e.id] !== undefined && !["pending", "ready"].includes(e.status)) {
      const start = sinceStart(nodeSince[e.id] ?? e.at);
      nodeSpans[e.id] = [...(nodeSpans[e.id] ?? []), { start, end: sinceStart(e.at) }];
      delete nodeSince[e.id];
    }
    options.onEvent?.(e);
  };
  const { runId, runDir } = await newRunFolder(options.runsDir, started);
  const repoDir =
    given.kind === "repository" ? given.dir : await copyIntoRepository(given.dir, join(runDir, "repo"));
  if (given.kind === "folder")
    emit({
      kind: "notice",
      text: `${options.repo} is not the top of a git repository, so swarm works on a copy: ${repoDir}`,
    });
  if (slot && slot.others.length > 0)
    emit({
      kind: "notice",
      text: `Another swarm run is under way in this repository (run ${slot.others.join(", ")}); this one is run ${slot.number}, on its own branches (swarm/${slot.number}-…).`,
    });
  if (given.kind === "repository" && (await uncommittedConfig(repoDir)))
    emit({
      kind: "notice",
      text: ".github/swarm.yml has changes that are not committed: this run reads the committed one. Commit them for a run to see them.",
    });
  const replay = options.replay;
  if (recorded)
    emit({
      kind: "notice",
      text: `ANTHROPIC_API_KEY is not set: the model's answers come from the recorded trace ${replay} (set the key to use the API).`,
    });

  const stateFile = join(runDir, "state.json");
  // Branches of earlier runs stay in the repository; this run's spec number comes after theirs.
  const specNumber = openLocalSpec(stateFile, spec.title, spec.body, slot?.number ?? 1);
  // What `swarm clean` needs to find this run's folder again: its repository and spec number.
  await writeFile(
    join(runDir, "run.json"),
    `${JSON.stringify({ runId, spec: specNumber, repo: repoDir, title: spec.title }, null, 2)}\n`,
  );
  const forge = createLocalForge({ repoDir, stateFile });
  const base = await forge.defaultBranch();
  const config = await readRepoConfig(forge, base, specNumber);
  // One client for the whole run, so each agent's turns are numbered across revisions (a replay keys on
  // them). Made now, so a missing API key is said before anything starts.
  const model = await connectModel({
    env: options.env,
    config,
    runId,
    runDir,
    ...(replayer ? { replay: replayer } : {}),
  });
  // One download cache for the person's own repositories, kept between runs as npm keeps its own.
  const downloads = options.env.SWARM_CACHE_DIR ?? join(homedir(), ".cache", "swarm", "downloads");
  // The nodes' copies and the local CI's share what one install of the same dependency files left.
  const installs = createInstallReuse();
  const readLedger = async () => {
    const ledger = await model.readLedger();
    emit({ kind: "spend", ledger });
    return ledger;
  };
  const services: NodeRunnerOptions = {
    forgeFor: () => forge,
    tokenFor: async () => undefined,
    model: async () => model,
    runsDir: options.runsDir,
    readLedger,
    cacheFor: () => downloads,
    installs,
  };
  const repo = { owner: "local", name: basename(repoDir) };
  // Earlier runs are kept under the repository as it was given (a plain folder is copied afresh each run).
  const calibrationKey = given.dir;

  let finish: (headline: string) => void = () => undefined;
  const finished = new Promise<string>((done) => {
    finish = done;
  });
  const integrate = createIntegrateProcessor(services);
  let rerun: Rerun = async () => false;
  const review = createReviewProcessor({
    ...services,
    rerun: Object.assign((...a: Parameters<Rerun>) => rerun(...a), {
      used: (runId: string, key: string) => rerun.used?.(runId, key) ?? Promise.resolve(false),
    }),
  });

  // After every node settles: merge, run the checks where CI would, review; a revision settles again.
  const afterNodes = async (states: Record<string, NodeStatus>, ctx: NodeRunContext) => {
    const failed = Object.entries(states).filter(([, s]) => s !== "done");
    if (failed.length > 0)
      return finish(`Nodes that did not finish: ${failed.map(([id, s]) => `${id} (${s})`).join(", ")}.`);
    emit({ kind: "stage", text: "integrating" });
    const merged = await integrate(integrateJobOf(runId, ctx));
    if (merged.kind !== "opened") return finish(merged.reason);
    emit({ kind: "stage", text: "checking" });
    await runLocalCi(
      forge,
      config,
      merged.headSha,
      (name, state) =>
        emit({
          kind: "check",
          name,
          state: state === "running" ? "running" : state.passed ? "passed" : "failed",
        }),
      { cacheDir: downloads, installs },
    );
    emit({ kind: "stage", text: "reviewing" });
    const reviewed = await review({
      installationId: 0,
      repo,
      headSha: merged.headSha,
      headBranch: null,
      pullNumbers: [merged.pullRequest.number],
    });
    await readLedger();
    if (reviewed.kind === "revising")
      emit({ kind: "stage", text: `revising ${reviewed.nodes.join(", ")} (round ${reviewed.round})` });
    else if (reviewed.kind === "green") finish("All checks pass.");
    // The only way a local run ends unverified: no commands to run (runLocalCi ran nothing).
    else if (reviewed.kind === "unverified") finish(NO_CHECKS);
    else finish("reason" in reviewed ? reviewed.reason : `the review is ${reviewed.kind}`);
  };
  // The longest baseline run of the checks, which teaches later runs their cache lifetime (`cache.ttl: auto`).
  let checkSeconds: number | undefined;
  const scheduler = createInProcessScheduler({
    runNode: createNodeRunner({
      ...services,
      noteChecks: async (_runId, _node, seconds) => {
        checkSeconds = Math.max(checkSeconds ?? 0, seconds);
      },
    }),
    concurrency: config.limits.maxParallelNodes,
    onEvent: (e) => emit({ kind: "node", id: e.nodeId, status: e.status, at: e.at }),
    onSettled: async (_runId, states, context) => {
      const ctx = context as NodeRunContext;
      await recordSettled(
        forge,
        { ...ctx, spec: specNumber },
        () => scheduler.states(runId),
        await readLedger(),
      )
        .then(() => afterNodes(states, ctx))
        .catch((error: unknown) => finish(error instanceof Error ? error.message : String(error)));
    },
  });
  rerun = rerunOf(scheduler);
  const cancel = () =>
    void (async () => {
      await scheduler.cancel(runId).catch(() => undefined); // not started yet while planning
      await refreshDashboard(forge, specNumber, {
        status: "cancelled",
        headline: "Cancelled from the terminal.",
        ledger: await model.readLedger(),
      }).catch(() => undefined);
      finish("Cancelled from the terminal; the branches made so far are kept.");
    })();
  // A Ctrl-C while the run was being set up counts too: an aborted signal fires no more events.
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener("abort", cancel, { once: true });

  emit({ kind: "stage", text: "planning" });
  const job: PlanJob = {
    installationId: 0,
    repo,
    spec: { number: specNumber, title: spec.title, body: spec.body },
    trigger: { kind: "label", label: config.label },
    sender: { login: "you", type: "User" },
  };
  const planned = await planSpec(job, {
    forge,
    model: async () => model,
    newRunId: () => runId,
    dashboardWaitMs: 0,
    // Locally the person is at the terminal: a plan that waits for approval is asked about there.
    confirmStart: options.confirmStart ?? (async () => false),
    ...(options.approve ? { alwaysConfirm: true } : {}),
    calibration: () => readLocalCalibration(options.runsDir, calibrationKey),
    // The working tree may hold edits that are not committed; the planner explores the committed base.
    checkout: localCheckout(repoDir),
    scheduleNodes: async (run) => {
      planning.doneAt = Date.now();
      emit({ kind: "plan", nodes: run.plan.nodes.map((n) => ({ id: n.id, title: n.title })) });
      emit({ kind: "estimate", estimate: run.estimate });
      if (options.signal?.aborted) return; // cancelled while planning: no node starts
      emit({ kind: "stage", text: "coding" });
      await startRunWith(scheduler)(run, job);
    },
  });
  await readLedger();
  if (planned.kind === "dry-run") emit({ kind: "estimate", estimate: planned.estimate });
  const headline =
    planned.kind === "planned"
      ? await finished
      : planned.kind === "dry-run"
        ? "A dry run (`dryRun: true`): planned only."
        : planned.kind === "awaiting-approval"
          ? "The plan waits for approval; nothing was coded."
          : planned.reason;

  await scheduler.close();

  const run = await forge.loadRun(specNumber);
  const status: LocalRunResult["status"] =
    run?.meta.status ?? (planned.kind === "refused" ? "refused" : "failed");
  emit({ kind: "stage", text: status });
  const branch = run ? findIntegrationBranch(Object.keys(run.branches)) : null;
  const state = localStateFile(stateFile).read();
  const pull = run?.pullRequest ? state.pulls.find((p) => p.number === run.pullRequest?.number) : undefined;
  const headSha = run?.pullRequest?.headSha ?? null;
  // On the spec (errors, why it stopped), then on the sub-issues of the nodes that did not finish (why).
  const said = (issue: number) =>
    state.issues.find((i) => i.number === issue)?.comments.filter((c) => c.key !== "dashboard") ?? [];
  const unfinished = state.nodes.filter((n) => n.spec === specNumber && n.status !== "done");
  const notes = [
    ...said(specNumber).map((c) => c.body),
    ...unfinished.flatMap((n) => said(n.issue).map((c) => `Node \`${n.node.id}\`: ${c.body}`)),
  ];
  // The same words, by node, fill "what it did" for the nodes that did not finish.
  const failures = Object.fromEntries(
    unfinished
      .map(
        (n) =>
          [
            n.node.id,
            said(n.issue)
              .map((c) => c.body)
              .join("\n\n"),
          ] as const,
      )
      .filter(([, why]) => why !== ""),
  );
  // A node still being coded when the run ended (cancelled, or the run stopped) ran until now.
  const seconds = sinceStart(Date.now());
  for (const [id, since] of Object.entries(nodeSince))
    nodeSpans[id] = [...(nodeSpans[id] ?? []), { start: sinceStart(since), end: seconds }];
  const ledger = await model.readLedger();
  const estimate = run?.meta.estimate ?? null;
  const actuals =
    run && planning.doneAt !== null
      ? actualsOfRun({
          runId,
          status,
          finishedAt: new Date().toISOString(),
          plan: run.plan,
          ledger,
          models: config.models,
          estimate,
          seconds,
          planSeconds: sinceStart(planning.doneAt),
          nodeSeconds: Object.fromEntries(
            Object.entries(nodeSpans).flatMap(([id, [first]]) =>
              first ? [[id, first.end - first.start]] : [],
            ),
          ),
          reviews: stages.filter((s) => s.text === "reviewing").length,
          ...(checkSeconds !== undefined ? { checkSeconds } : {}),
        })
      : null;
  // A finished run teaches the next estimate; a cancelled one stopped for reasons of its own, and a replayed
  // one's times are the replay's, not the model's.
  if (actuals && !replay && ["green", "failed", "unverified"].includes(status))
    await recordLocalActuals(options.runsDir, calibrationKey, actuals);
  const report = renderReport({
    title: spec.title,
    status,
    headline,
    runId,
    repoDir,
    base: config.baseBranch ?? base,
    branch,
    headSha,
    plan: run?.plan ?? null,
    states: run?.states ?? {},
    summaries: run?.summaries ?? {},
    checks: state.checkRuns.filter((c) => c.headSha === headSha),
    reviews: pull?.reviews ?? [],
    failures,
    notes,
    ledger,
    seconds,
    stages,
    estimate,
    actual: actuals
      ? {
          usd: actuals.usd,
          tokens: actuals.tokens,
          byRole: Object.fromEntries(Object.entries(actuals.roles).map(([r, x]) => [r, x.tokens])),
          seconds: actuals.seconds - actuals.planSeconds,
        }
      : null,
    nodeSpans,
    modelSource: replay ? `answers replayed from ${replay}` : "the Anthropic API",
  });
  await writeFile(join(runDir, "report.md"), report.markdown);
  await writeFile(join(runDir, "report.html"), report.html);
  // Answers recorded for another run are never reported as this run's result, green or not.
  if (replayer?.miss) throw replayer.miss;
  return {
    status,
    headline,
    runDir,
    report: { markdown: join(runDir, "report.md"), html: join(runDir, "report.html") },
    repoDir,
    branch,
    base: config.baseBranch ?? base,
    notes,
  };
}

/** A new folder for the run, named after when it started (with a suffix if another run took the name). */
async function newRunFolder(runsDir: string, started: number): Promise<{ runId: string; runDir: string }> {
  for (let n = 1; ; n++) {
    const runId = `local-${started.toString(36)}${n === 1 ? "" : `-${n}`}`;
    const runDir = resolve(runsDir, runId);
    const made = await mkdir(runDir).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") return false;
        throw error;
      },
    );
    if (made) return { runId, runDir };
  }
}

/** Whether `.github/swarm.yml` differs from its committed version (a run reads the committed one). */
async function uncommittedConfig(repoDir: string): Promise<boolean> {
  const out = await git(
    repoDir,
    "status",
    "--porcelain",
    "--",
    ".github/swarm.yml",
    ".github/swarm.yaml",
  ).catch(() => "");
  return out.trim() !== "";
}

/** Without an API key, a trace recorded beside the spec (`x.md` → `x.trace.jsonl`) answers, if there is one. */
function recordedTraceFor(specPath: string, env: LocalRunOptions["env"]): string | undefined {
  if (env.ANTHROPIC_API_KEY) return undefined;
  const trace = specPath.replace(/(\.spec)?\.md$/i, ".trace.jsonl");
  return trace !== specPath && existsSync(trace) ? trace : undefined;
}
