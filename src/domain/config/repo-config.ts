import { z } from "zod";
import { isValidBranchName } from "../branch/is-valid-branch-name.js";

// The schema of `.github/swarm.yml`. Every field has a default, so an empty or missing file is valid.
// Descriptions feed the generated JSON Schema and the README's configuration reference.

export const AGENT_ROLES = ["planner", "coder", "reviewer", "integrator"] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** Where the built-in prices and models come from (the configuration reference cites them). */
export const PRICES_SOURCE = {
  models: "https://platform.claude.com/docs/en/about-claude/models/overview",
  pricing: "https://platform.claude.com/docs/en/about-claude/pricing",
  asOf: "December 2026",
};

/**
 * Published list prices (USD per million tokens, 5-minute cache writes): the current models first (Opus
 * 5.5, Sonnet 5.5, Haiku 5.5), then the legacy ones still served. Sonnet 5.5's cache reads are $0.10 since
 * 2026-10-07. Haiku 5.5 costs more for a prompt past 100K tokens (cache reads and writes count), on every
 * token of that call.
 */
export const DEFAULT_PRICES = {
  "claude-opus-5-5": { input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5, cacheWrite1h: 8 },
  "claude-sonnet-5-5": { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5, cacheWrite1h: 4 },
  "claude-haiku-5-5": {
    input: 0.1,
    output: 0.5,
    cacheRead: 0.01,
    cacheWrite: 0.125,
    cacheWrite1h: 0.2,
    longPrompt: {
      aboveTokens: 100_000,
      input: 0.5,
      output: 2.5,
      cacheRead: 0.05,
      cacheWrite: 0.625,
      cacheWrite1h: 1,
    },
  },
  "claude-opus-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25, cacheWrite1h: 10 },
  "claude-sonnet-5": { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5, cacheWrite1h: 4 },
  "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, cacheWrite1h: 2 },
} as const satisfies Record<string, ModelPrice>;

/**
 * The models by role: the planner on the current Opus, the coder and the reviewer on the current Sonnet, and
 * the integrator (a merge conflict between files the plan kept apart: mechanical work) on the cheapest.
 */
export const DEFAULT_MODELS = {
  planner: "claude-opus-5-5",
  coder: "claude-sonnet-5-5",
  reviewer: "claude-sonnet-5-5",
  integrator: "claude-haiku-5-5",
} as const satisfies Record<AgentRole, string>;

const usdPerMillion = (what: string) => z.number().nonnegative().describe(`USD per million ${what} tokens.`);

const tokenPrices = {
  input: usdPerMillion("input"),
  output: usdPerMillion("output"),
  cacheRead: usdPerMillion("cache-read"),
  cacheWrite: usdPerMillion("5-minute cache-write"),
  cacheWrite1h: usdPerMillion("1-hour cache-write").optional(),
};

export const ModelPriceSchema = z
  .strictObject({
    ...tokenPrices,
    longPrompt: z
      .strictObject({
        aboveTokens: z
          .int()
          .positive()
          .describe("Prompt tokens (input and cache) past which these prices apply."),
        ...tokenPrices,
      })
      .optional()
      .describe("Prices of a call whose prompt is longer than `aboveTokens`, on every token of that call."),
  })
  .describe("Prices of one model.");
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

const modelName = z.string().min(1);

export const EFFORTS = ["low", "medium", "high", "xhigh", "max"] as const;
export type Effort = (typeof EFFORTS)[number];

/**
 * Output tokens per call by role. Thinking counts against them (it is on by default on the current models), so
 * they leave room for a turn's thinking and its longest output: a coder writing a large file, a planner's plan.
 * Each call reserves its max_tokens against the run's budget before it is made, so they are not set to the
 * models' 128K: a cut-off answer is continued, never lost.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = {
  planner: 32_000,
  coder: 32_000,
  reviewer: 16_000,
  integrator: 16_000,
} as const satisfies Record<AgentRole, number>;

const agentSettings = (role: AgentRole) =>
  z
    .strictObject({
      effort: z
        .enum(EFFORTS)
        .optional()
        .describe(
          "How hard the model thinks (output_config.effort): low, medium, high, xhigh or max. Unset: the model's default.",
        ),
      thinking: z
        .enum(["adaptive", "between_tools"])
        .optional()
        .describe(
          "`adaptive` (the default) thinks when it helps; `between_tools` (Claude Sonnet 5.5 only, effort high or lower) thinks only between tool calls, the cheapest setting.",
        ),
      maxOutputTokens: z
        .int()
        .positive()
        .max(128_000)
        .default(DEFAULT_MAX_OUTPUT_TOKENS[role])
        .describe(
          "Most output tokens (thinking included) of one model call. A turn cut off at this limit is continued with a notice.",
        ),
    })
    .superRefine((agent, ctx) => {
      if (agent.thinking === "between_tools" && (agent.effort === "xhigh" || agent.effort === "max"))
        ctx.addIssue({
          code: "custom",
          path: ["thinking"],
          message: `between_tools thinking does not take effort ${agent.effort}`,
          params: { fix: "use effort high or lower with between_tools, or thinking: adaptive" },
        });
    })
    .prefault({})
    .describe(`Model settings of the ${role}.`);
export type AgentSettings = z.infer<ReturnType<typeof agentSettings>>;
const count = (what: string, fallback: number) => z.int().positive().default(fallback).describe(what);

const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const reviewer = z.string().refine(
  (s) => {
    const [owner, team, ...rest] = s.split("/");
    return (
      rest.length === 0 && GITHUB_LOGIN.test(owner ?? "") && (team === undefined || /^[\w.-]+$/.test(team))
    );
  },
  {
    message: "must be a GitHub login (octocat) or a team (my-org/my-team)",
    params: { fix: "write the login without @, or the team as organisation/team-slug" },
  },
);

const glob = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith("/") && !s.includes("\\") && !s.split("/").includes(".."), {
    message: "must be a path or glob relative to the repository root, with / separators and no ..",
    params: { fix: "write it relative to the repository root, for example .github/workflows/**" },
  });

export const RepoConfigSchema = z
  .strictObject({
    label: z
      .string()
      .min(1)
      .max(50)
      .default("swarm")
      .describe("The issue label that makes an issue a spec and starts a run."),
    baseBranch: z
      .string()
      .refine(isValidBranchName, {
        message: "must be a valid git branch name",
        params: { fix: "use the branch's name as `git branch` shows it, for example main" },
      })
      .optional()
      .describe(
        "Branch that node branches start from and the PR targets. Default: the repository's default branch.",
      ),
    models: z
      .strictObject({
        planner: modelName
          .default(DEFAULT_MODELS.planner)
          .describe("Model that splits the spec into a plan."),
        coder: modelName.default(DEFAULT_MODELS.coder).describe("Model that writes each node's code."),
        reviewer: modelName
          .default(DEFAULT_MODELS.reviewer)
          .describe("Model that reviews the PR and its checks."),
        integrator: modelName
          .default(DEFAULT_MODELS.integrator)
          .describe("Model that resolves merge conflicts, should any occur."),
      })
      .prefault({})
      .describe("The Claude model used by each agent role."),
    cache: z
      .strictObject({
        ttl: z
          .enum(["auto", "5m", "1h"])
          .default("auto")
          .describe(
            "How long the prompt cache keeps a run's shared prefix: `5m` (Anthropic's default, refreshed each time it is read), `1h` (writes cost 2× the input price, not 1.25×), for repositories whose checks take longer than five minutes between an agent's turns, or `auto`: the coders get `1h` when the repository's checks took longer than four minutes in most of its earlier runs (the median of the last 20), else `5m`; the other agents, whose turns wait on no checks, `5m`.",
          ),
        warm: z
          .boolean()
          .default(true)
          .describe(
            "Write the coders' shared prefix (tools, system prompt, the run's spec, plan, conventions and repository map) to the cache with one small call once the plan is laid out, when two or more coders start at once, so each of them reads it instead of writing it.",
          ),
      })
      .prefault({})
      .describe("Prompt caching."),
    agents: z
      .strictObject({
        planner: agentSettings("planner"),
        coder: agentSettings("coder"),
        reviewer: agentSettings("reviewer"),
        integrator: agentSettings("integrator"),
      })
      .prefault({})
      .describe("Thinking and output limits per agent role."),
    prices: z
      .record(modelName, ModelPriceSchema)
      .default({})
      .transform((prices): Record<string, ModelPrice> => ({ ...DEFAULT_PRICES, ...prices }))
      .describe(
        "Price table in USD per million tokens, keyed by model. Merged over the built-in prices of current Claude models; every model in `models` needs one.",
      ),
    limits: z
      .strictObject({
        maxNodes: z
          .int()
          .positive()
          .max(100)
          .default(12)
          .describe("Most nodes a plan may have (GitHub allows 100 sub-issues per issue)."),
        maxParallelNodes: count("Most nodes of one run coded at the same time.", 4),
        maxCoderTurns: count("Most model turns a coder agent takes on one node.", 100),
        maxTokensPerNode: count(
          "Most tokens (input, output, cache read and write) the coder may use on one node.",
          4_000_000,
        ),
        maxUsdPerNode: z.number().positive().default(5).describe("Most USD the coder may spend on one node."),
        maxReviewerTurns: count(
          "Most model turns the reviewer takes on one review (reading files, the diff and the check logs, then its findings).",
          30,
        ),
        maxTokensPerReview: count(
          "Most tokens (input, output, cache read and write) the reviewer may use on one review.",
          1_500_000,
        ),
        maxPlannerTurns: count(
          "Most model turns the planner takes on one plan (exploring the repository with read-only tools, then its plan).",
          20,
        ),
        maxTokensPerPlan: count(
          "Most tokens (input, output, cache read and write) the planner may use on one plan.",
          1_500_000,
        ),

        maxRevisionRounds: z
          .int()
          .nonnegative()
          .default(3)
          .describe("Most review-and-revise rounds before swarm stops and reports what still fails."),
        maxTokensPerRun: count(
          "Most tokens (input, output, cache read and write) one run may use.",
          20_000_000,
        ),
        maxUsdPerRun: z.number().positive().default(25).describe("Most USD one run may spend."),
        approval: z
          .union([z.enum(["auto", "required"]), z.number().nonnegative()])
          .default("auto")
          .describe(
            "Whether a plan waits for a person's approval before any node is coded: `auto` starts at once, `required` always waits, and a number (USD) waits when the plan's estimated cost may exceed it. Approve by ticking the dashboard's checkbox or commenting `/swarm approve`.",
          ),
      })
      .prefault({})
      .describe("Limits that bound a run's size, time and cost."),
    protectedPaths: z
      .array(glob)
      .default([".github/workflows/**"])
      .describe("Paths and globs that agents may never change. Setting this replaces the default."),
    validation: z
      .strictObject({
        install: z
          .string()
          .min(1)
          .optional()
          .describe("Command that installs dependencies before the checks (for example `npm ci`)."),
        installNetwork: z
          .boolean()
          .default(true)
          .describe(
            "Let the install command reach the network (package registries). Checks never get network. Turn this off when dependencies are vendored: install scripts then cannot phone home.",
          ),
        commands: z
          .array(z.string().min(1))
          .default([])
          .describe("Commands that check a node's work in the sandbox, in order (for example `npm test`)."),
        ci: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "Commands `swarm run` runs on the merged result in the sandbox, standing in for the repository's CI (on GitHub, the workflows' checks are used instead, unless none appear: see `ciWaitMinutes`). Unset: the same as `commands`.",
          ),
        ciWaitMinutes: z
          .number()
          .min(0)
          .max(1440)
          .default(10)
          .describe(
            "On GitHub: if no check (other than swarm's) appears on a pull request's head within this many minutes, swarm runs `ci` itself in a worker's sandbox on that head, records the results as check runs and reviews from them. For repositories without PR workflows.",
          ),
        specCheck: z
          .boolean()
          .default(true)
          .describe(
            "When the checks pass, the reviewer checks the change against the spec's acceptance criteria (and each node's goal) before the pull request is marked ready: a gap the spec requires sends the node back for a revision round; other notes go out as a comment review. Off: green checks alone mark it ready.",
          ),
      })
      .prefault({})
      .describe("How swarm checks code before it pushes."),
    sandbox: z
      .strictObject({
        mode: z
          .enum(["bubblewrap", "none"])
          .default("bubblewrap")
          .describe(
            "How untrusted commands are isolated. `none` runs them directly: only for runners that are already isolated and hold no secrets, such as a GitHub Actions VM.",
          ),
        wallSeconds: count("Wall-clock limit of one check or install command, in seconds.", 600),
        shellSeconds: count(
          "Wall-clock limit of one command an agent runs in its shell, in seconds; past it the command is killed and the shell starts afresh.",
          120,
        ),
        cpuSeconds: count("CPU-time limit of one command, in seconds.", 600),
        memoryMb: count("Memory limit of one command, in MiB.", 4096),
        processes: count("Most processes and threads one command may run at once.", 512),
        fileMb: count("Largest file one command may write, in MiB.", 1024),
        outputKb: count("Most output one command may print, in KiB; the start and end are kept.", 8192),
      })
      .prefault({})
      .describe("Limits and isolation of the commands that check agents' code."),

    pullRequest: z
      .strictObject({
        draft: z
          .boolean()
          .default(true)
          .describe("Open the PR as a draft, marked ready once checks are green."),
        reviewers: z
          .array(reviewer)
          .default([])
          .describe("Users (octocat) or teams (my-org/my-team) asked to review once checks are green."),
      })
      .prefault({})
      .describe("The pull request swarm opens."),
  })
  .superRefine((config, ctx) => {
    for (const role of AGENT_ROLES) {
      const model = config.models[role];
      if (model in config.prices) continue;
      ctx.addIssue({
        code: "custom",
        path: ["models", role],
        message: `model "${model}" has no price, so its cost cannot be counted`,
        params: { fix: `add its prices under prices."${model}" (input, output, cacheRead, cacheWrite)` },
      });
    }
  })
  .describe("Configuration of swarm for one repository, read from .github/swarm.yml on the base branch.");

export type RepoConfig = z.infer<typeof RepoConfigSchema>;
export type RepoConfigInput = z.input<typeof RepoConfigSchema>;
