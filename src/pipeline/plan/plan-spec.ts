import type { Ledger } from "../../domain/budget/budget.js";
import { formatConfigProblems } from "../../domain/config/format-config-problems.js";
import { parseRepoConfig } from "../../domain/config/parse-repo-config.js";
import { type RepoConfig, RepoConfigSchema } from "../../domain/config/repo-config.js";
import { describeFailure } from "../../domain/describe-failure.js";
import { SpecError, SwarmError } from "../../domain/errors.js";
import { type CacheTtl, chooseCacheTtl } from "../../domain/estimate/choose-cache-ttl.js";
import { estimatePlan } from "../../domain/estimate/estimate-plan.js";
import type { PlanEstimate, RunActuals } from "../../domain/estimate/run-actuals.js";

import type { Plan } from "../../domain/plan/plan.js";
import { parseSpec } from "../../domain/spec/parse-spec.js";
import type { Spec } from "../../domain/spec/spec.js";
import type { RunStatus } from "../../domain/state/run-status.js";
import type { ModelClient } from "../../model/model-client.js";
import { type RunBlock, runBlockOf } from "../code/run-block.js";
import { warmCoders } from "../code/warm-coders.js";
import { coalesceWrites } from "../dashboard/coalesce-writes.js";
import { type DashboardView, renderDashboard } from "../dashboard/render-dashboard.js";
import type { Forge, IssueRef, LoadedRun } from "../forge.js";
import type { PlanJob } from "../jobs.js";
import { CONFIG_PATH } from "../read-repo-config.js";
import { explorePlan } from "./explore-plan.js";
import { materialisePlan } from "./materialise-plan.js";
import { needsApproval } from "./needs-approval.js";
import type { CheckoutFor } from "./planner-checkout.js";
import type { CodeContext } from "./repository-view.js";

const WRITERS = new Set(["admin", "maintain", "write"]);
const FINISHED: readonly RunStatus[] = ["failed", "cancelled", "green", "unverified"];

export type PlanDeps = {
  forge: Forge;
  /** The run's model client (its trace goes to the run's folder). */
  model: (config: RepoConfig, runId: string) => Promise<ModelClient>;
  /** Starts coding the ready nodes; without it a run stops at "planned". */
  scheduleNodes?: (run: ScheduledRun) => Promise<void>;
  dashboardWaitMs?: number;
  newRunId?: (spec: number) => string;
  /** The planner's code map, when a copy of the repository can be had (a checkout's own map comes first). */
  codeContext?: CodeContext;
  /**
   * A checkout of the planned ref for the planner to explore (files, a read-only shell, its map). Without
   * it the planner views the forge's files of the ref and has no shell.
   */
  checkout?: CheckoutFor;
  /**
   * For a live run this job finds: brings the scheduler in line with GitHub (a retried job after the
   * run was handed over, or Redis lost meanwhile). Returns what it did, or null when nothing was needed.
   */
  reconcile?: (run: LoadedRun) => Promise<string | null>;
  /**
   * Asks at once whether to start coding (the CLI, at its terminal), instead of waiting on GitHub for a
   * person to approve: true starts the nodes, false leaves the plan laid out and cancelled.
   */
  confirmStart?: (ask: { plan: Plan; estimate: PlanEstimate }) => Promise<boolean>;
  /** Ask even when `limits.approval` does not require it (`swarm run --approve`). */
  alwaysConfirm?: boolean;
  /** This repository's finished runs, which calibrate the plan's estimate; none: the priors. */
  calibration?: () => Promise<readonly RunActuals[]>;
};

/** What the scheduler needs to code a run's nodes: where they go and what they build on. */
export type ScheduledRun = {
  runId: string;
  plan: Plan;
  nodeIssues: Record<string, IssueRef>;
  branches: Record<string, string>;
  base: string;
  spec: { number: number; title: string; body: string };
  maxParallel: number;
  estimate: PlanEstimate;
  /** The coders' shared run block, when the planner had a checkout to make it from (else each node makes it). */
  runBlock?: RunBlock;
  /** The coders' cache lifetime, settled from `cache.ttl` and the repository's earlier runs. */
  cacheTtl: CacheTtl;
};

type LaidOut = {
  runId: string;
  plan: Plan;
  nodeIssues: Record<string, IssueRef>;
  turns: number;
  estimate: PlanEstimate;
};

export type PlanOutcome =
  | ({ kind: "planned" } & LaidOut)
  | ({ kind: "awaiting-approval" } & LaidOut)
  | { kind: "declined"; runId: string; reason: string }
  | { kind: "dry-run"; runId: string; plan: Plan; turns: number; estimate: PlanEstimate }
  | { kind: "ignored"; reason: string }
  | { kind: "refused"; reason: string }
  | { kind: "failed"; reason: string };

/**
 * The plan stage: checks who asked and what the repository allows, turns the spec issue into a validated
 * plan, and lays it out on GitHub as sub-issues, dependencies and a dashboard. A refusal or failure is one
 * comment on the issue that says what to do; a retried job repeats nothing.
 */
export async function planSpec(job: PlanJob, deps: PlanDeps): Promise<PlanOutcome> {
  const { forge } = deps;
  const specNumber = job.spec.number;
  if (job.sender.type === "Bot") return { kind: "ignored", reason: "bots cannot start swarm" };

  const permission = await forge.getPermission(job.sender.login);
  if (!WRITERS.has(permission)) {
    await forge.ensureComment(
      specNumber,
      `permission-${job.sender.login}`,
      `@${job.sender.login}, only people with write access to this repository can start swarm (you have ${permission} access). Ask a maintainer to add the label or run the command.`,
    );
    return { kind: "refused", reason: `${job.sender.login} has ${permission} access` };
  }

  const defaultBranch = await forge.defaultBranch();
  const configText = await forge.readFile(defaultBranch, CONFIG_PATH, { run: specNumber, fresh: true });
  let config: RepoConfig = RepoConfigSchema.parse({});
  if (configText !== null) {
    const parsed = parseRepoConfig(configText);
    if (!parsed.ok) {
      await forge.ensureComment(
        specNumber,
        "config",
        [
          `**swarm cannot start: \`${CONFIG_PATH}\` on \`${defaultBranch}\` has problems.**`,
          "",
          "```",
          formatConfigProblems(CONFIG_PATH, parsed.problems),
          "```",
          "",
          "**Fix:** correct the file (check it with `npx swarm config validate`), then add the label again.",
        ].join("\n"),
      );
      return { kind: "refused", reason: "invalid configuration" };
    }
    config = parsed.config;
  }
  if (job.trigger.kind === "label" && job.trigger.label !== config.label)
    return { kind: "ignored", reason: `label "${job.trigger.label}" is not "${config.label}"` };

  const replan = job.trigger.kind === "command" && job.trigger.verb === "replan";
  // What the person asked to change, with `/swarm replan <feedback>`: data for the planner, not the spec.
  const feedback = (job.trigger.kind === "command" && job.trigger.feedback?.trim()) || undefined;
  const dryRun = job.trigger.kind === "command" && job.trigger.verb === "plan";
  const existing = await forge.loadRun(specNumber);
  // A plan job cut off after its dashboard was written (its worker killed, say), taken up again: it goes
  // on with the same run, laying out what it had planned, or planning again if it had not got that far.
  const resume =
    existing?.meta.status === "planning" && !existing.meta.dryRun && !replan && !dryRun && existing.meta.runId
      ? existing
      : null;
  if (
    existing &&
    !resume &&
    !replan &&
    !FINISHED.includes(existing.meta.status) &&
    !(existing.meta.dryRun && !dryRun)
  ) {
    const reconciled = await deps.reconcile?.(existing);
    return {
      kind: "ignored",
      reason: `a run is already ${existing.meta.status}${reconciled ? ` (${reconciled})` : ""}`,
    };
  }

  // No reaction on the spec: the dashboard (or a comment saying why not) answers at once, a write less.
  const issue =
    job.spec.body === null && job.spec.title === "" ? await forge.readIssue(specNumber) : job.spec;
  let spec: ReturnType<typeof parseSpec>;
  try {
    spec = parseSpec({ title: issue.title, body: issue.body });
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    await forge.ensureComment(specNumber, "spec", describeFailure(error, "swarm cannot plan this issue"));
    return { kind: "refused", reason: error.problem };
  }

  const runId =
    resume?.meta.runId ?? deps.newRunId?.(specNumber) ?? `${specNumber}-${Date.now().toString(36)}`;
  let view: DashboardView = {
    spec: specNumber,
    status: "planning",
    dryRun,
    headline: "Planning…",
    plan: null,
    states: {},
    nodeIssues: {},
    branches: {},
    ledger: null,
    estimate: null,
  };
  // A resumed job keeps the time planning began.
  let stage = { status: resume ? "planning" : "", since: resume?.meta.statusSince ?? "" };
  let deferNext = false;
  const dashboard = coalesceWrites<DashboardView>(async (v) => {
    if (stage.status !== v.status) stage = { status: v.status, since: new Date().toISOString() };
    const deferred = deferNext;
    await forge.ensureDashboardComment(
      specNumber,
      renderDashboard({ ...v, since: stage.since }),
      {
        statusSince: stage.since,
        v: 1,
        spec: specNumber,
        runId,
        dryRun: v.dryRun,
        status: v.status,
        summary: v.plan?.summary ?? "",
        nodeOrder: v.plan?.nodes.map((n) => n.id) ?? [],
        ...(v.estimate ? { estimate: v.estimate } : {}),
        ...(v.plan?.interfaces?.length ? { interfaces: v.plan.interfaces } : {}),
        // Kept only while it fits a comment beside the dashboard; a larger plan is planned again if cut off.
        ...(v.status === "planning" && v.plan && JSON.stringify(v.plan).length < 24_000
          ? { pendingPlan: v.plan }
          : {}),
      },
      deferred ? { deferred: true } : {},
    );
  }, deps.dashboardWaitMs ?? 1500);
  const show = (next: Partial<DashboardView>) => {
    view = { ...view, ...next };
    dashboard.update(view);
  };
  show({});
  // Written at once: the person sees swarm took it up, and a job cut off from here on can be resumed.
  await dashboard.flush();

  let model: ModelClient | undefined;
  try {
    model = await deps.model(config, runId);
    const ref = config.baseBranch ?? defaultBranch;
    const { plan, turns, runFiles }: Awaited<ReturnType<typeof explorePlan>> =
      resumablePlan(resume) ?? (await explorePlan(model, config, spec, ref, deps, feedback));
    const ledger = await model.readLedger();
    // Earlier runs that cannot be read leave the priors: an estimate never stops a plan.
    const calibration = await (deps.calibration?.() ?? Promise.resolve([])).catch(() => []);
    const estimate = estimatePlan({ plan, config, calibration, spent: ledger });
    if (dryRun) {
      show({
        status: "planned",
        plan,
        ledger,
        estimate,
        headline: `Dry run: ${plan.nodes.length} nodes planned, nothing created. Add the \`${config.label}\` label to start.`,
      });
      await dashboard.flush();
      return { kind: "dry-run", runId, plan, turns, estimate };
    }
    if (replan && existing) {
      // Nodes of the old plan that the new one drops are closed as not planned.
      for (const old of existing.plan.nodes) {
        const ref = existing.nodeIssues[old.id];
        if (ref && !plan.nodes.some((n) => n.id === old.id))
          await forge.setNodeStatus(ref, specNumber, old, "cancelled", existing.branches[old.id] ?? "");
      }
    }
    show({
      plan,
      ledger,
      estimate,
      headline: `Planned ${plan.nodes.length} nodes; creating their sub-issues…`,
    });
    // Kept before the first sub-issue, so a job cut off while laying out can finish the layout. Deferred:
    // the layout takes seconds and ends with a write of its own.
    deferNext = true;
    await dashboard.flush();
    deferNext = false;
    const laid = await materialisePlan(forge, { number: specNumber, title: spec.title }, plan);
    if (replan && existing) {
      // The nodes the new plan keeps had sub-issues already: they now say the new plan's node and its
      // starting status (a node closed by an earlier plan is reopened), so the run rebuilt from GitHub
      // codes this plan, not the old one.
      for (const node of plan.nodes) {
        const ref = laid.nodeIssues[node.id];
        if (ref && existing.plan.nodes.some((n) => n.id === node.id))
          await forge.setNodeStatus(
            ref,
            specNumber,
            node,
            laid.states[node.id] ?? "pending",
            laid.branches[node.id] ?? "",
          );
      }
      // An edge of the old plan that the new one drops goes from GitHub too: a stale "blocked by" would
      // tell people a kept node waits for what it no longer needs (or for a node closed as not planned).
      for (const old of existing.plan.nodes) {
        const kept = plan.nodes.find((n) => n.id === old.id);
        const blocked = laid.nodeIssues[old.id];
        if (!kept || !blocked) continue;
        for (const dep of old.dependsOn) {
          const blocking = existing.nodeIssues[dep];
          if (blocking && !kept.dependsOn.includes(dep)) await forge.unlinkDependency(blocked, blocking);
        }
      }
    }
    if (deps.alwaysConfirm || needsApproval(config.limits.approval, estimate.usd.high)) {
      if (!deps.confirmStart) {
        // Nothing is coded until a person with write access ticks the box or comments `/swarm approve`.
        show({
          status: "awaiting-approval",
          ...laid,
          estimate,
          ledger: await model.readLedger(),
          headline: `Planned ${plan.nodes.length} nodes; waiting for approval before coding.`,
        });
        await dashboard.flush();
        return {
          kind: "awaiting-approval",
          runId,
          plan,
          nodeIssues: laid.nodeIssues,
          turns,
          estimate,
        };
      }
      if (!(await deps.confirmStart({ plan, estimate }))) {
        for (const node of plan.nodes) {
          const ref = laid.nodeIssues[node.id];
          if (ref)
            await forge.setNodeStatus(ref, specNumber, node, "cancelled", laid.branches[node.id] ?? "");
        }
        show({
          status: "cancelled",
          ...laid,
          states: Object.fromEntries(plan.nodes.map((n) => [n.id, "cancelled" as const])),
          estimate,
          ledger: await model.readLedger(),
          headline: "Not started: the plan was not approved, so no node was coded.",
        });
        await dashboard.flush();
        return { kind: "declined", runId, reason: "the plan was not approved" };
      }
    }
    const status: RunStatus = deps.scheduleNodes ? "coding" : "planned";
    show({
      status,
      ...laid,
      estimate,
      ledger: await model.readLedger(),
      headline: headlineFor(plan, status),
    });
    await dashboard.flush();
    const forNodes = { number: specNumber, title: spec.title, body: specForNodes(spec) };
    const runBlock = runFiles && runBlockOf({ spec: forNodes, plan, config, files: runFiles });
    // Best effort: a cache that could not be warmed is written by the first coders instead.
    const cacheTtl = chooseCacheTtl(config.cache.ttl, calibration);
    if (runBlock && deps.scheduleNodes)
      await warmCoders(model, config, plan, runBlock, cacheTtl).catch(() => undefined);
    await deps.scheduleNodes?.({
      runId,
      plan,
      nodeIssues: laid.nodeIssues,
      branches: laid.branches,
      base: config.baseBranch ?? defaultBranch,
      spec: forNodes,
      maxParallel: config.limits.maxParallelNodes,
      estimate,
      ...(runBlock ? { runBlock } : {}),
      cacheTtl,
    });
    return { kind: "planned", runId, plan, nodeIssues: laid.nodeIssues, turns, estimate };
  } catch (error) {
    const ledger: Ledger | null = model ? await model.readLedger() : null;
    // The comment below says what to do; the dashboard names the problem, never an internal message.
    const problem = error instanceof SwarmError ? error.problem : "an internal error; see the comment below.";
    show({ status: "failed", ledger, headline: `Planning failed: ${problem}` });
    await dashboard.flush();
    await forge.ensureComment(
      specNumber,
      "plan-error",
      describeFailure(error, "swarm could not plan this issue"),
    );
    return { kind: "failed", reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The plan a cut-off plan job had made: kept in the dashboard while laid out, or all its sub-issues. */
function resumablePlan(run: LoadedRun | null): { plan: Plan; turns: number } | null {
  if (!run) return null;
  if (run.meta.pendingPlan) return { plan: run.meta.pendingPlan, turns: 0 };
  const laidOut =
    run.meta.nodeOrder.length > 0 &&
    run.meta.nodeOrder.every((id) => run.plan.nodes.some((n) => n.id === id));
  return laidOut ? { plan: run.plan, turns: 0 } : null;
}

function headlineFor(plan: Plan, status: RunStatus): string {
  return status === "coding"
    ? `Coding ${plan.nodes.length} nodes.`
    : `Planned ${plan.nodes.length} nodes; waiting for workers to code them.`;
}

/** The spec as every node's coder reads it: the goal, then the acceptance criteria. */
export function specForNodes(spec: Pick<Spec, "goal" | "acceptanceCriteria">): string {
  return [
    spec.goal,
    ...(spec.acceptanceCriteria.length > 0
      ? ["", "Acceptance criteria:", ...spec.acceptanceCriteria.map((c) => `- ${c}`)]
      : []),
  ].join("\n");
}
