import type { z } from "zod";
import type { RepoConfig } from "../../domain/config/repo-config.js";
import { formatInterfaces } from "../../domain/plan/format-interfaces.js";
import type { Plan } from "../../domain/plan/plan.js";
import { type Review, ReviewSchema, type SpecReview, SpecReviewSchema } from "../../domain/review/review.js";
import { splitDiff } from "../../domain/review/split-diff.js";
import type { ModelClient } from "../../model/model-client.js";
import { buildPrompt } from "../../model/prompt/build-prompt.js";
import { loadPrompt } from "../../model/prompt/load-prompt.js";
import { untrusted } from "../../model/prompt/untrusted.js";
import { type AgentResult, runAgent } from "../../model/run-agent.js";
import { StructuredOutputError } from "../../model/structured-output-error.js";
import type { CheckResult, Forge } from "../forge.js";
import { diffTool } from "./diff-tool.js";
import { headFiles } from "./head-files.js";
import { jobLogTool } from "./job-log-tool.js";
import { readOnlyEditorTool } from "./read-only-editor-tool.js";

/**
 * A diff up to this many characters is in the prompt whole (a small PR is reviewed without a tool call);
 * a longer one is read file by file with the `diff` tool.
 */
const INLINE_DIFF = 24_000;
/** Characters a view of a file shows before it is cut (the editor's max_characters). */
const VIEW_CHARACTERS = 40_000;

type ReviewerInput = {
  spec: { title: string; body: string };
  plan: Plan;
  diff: string;
  /** The failing checks, already as text: names, annotations, log tails. */
  failures: string;
  /** The failing checks whose whole logs the reviewer can read (`job_log`). */
  checks?: readonly CheckResult[];
  /** The PR's head commit, whose files the reviewer can view, and the forge that has them and the logs. */
  head: { sha: string; forge: Pick<Forge, "listFiles" | "readFile" | "readCheckLog"> };
  /** What a person asked for (`/swarm revise`, a review requesting changes), if that is why. */
  request?: { author: string; text: string };
  round: number;
};

/**
 * The reviewer's findings on a PR, as an agent that reads: the spec, the plan's ownership, the changed files
 * and what failed (check failures, or a person's request for changes) are in its prompt; it reads files at
 * the PR's head, the diff by file and the failing checks' whole logs with read-only tools, and ends with the
 * review as structured output (JSON outputs, beside the tools), within its turn and token limits.
 */
export function runReviewer(model: ModelClient, config: RepoConfig, input: ReviewerInput): Promise<Review> {
  const ask = input.request
    ? "A person with write access asked for the change above. Turn it into findings for the nodes that own the files it concerns. Reply with the review as JSON only."
    : "Find what makes the checks fail. Reply with the review as JSON only.";
  return reviewerAgent(model, config, input, ask, ReviewSchema);
}

/**
 * The same reviewer on a head whose checks pass, before the PR is marked ready: is the change what the spec
 * (and each node's goal and acceptance) asks for? Each gap is blocking (a revision round) or a note.
 */
export function runSpecCheck(
  model: ModelClient,
  config: RepoConfig,
  input: Omit<ReviewerInput, "failures" | "checks" | "request">,
): Promise<SpecReview> {
  const ask = [
    "The repository's checks pass on this commit. Before the pull request is marked ready for people, check the change against the spec: each acceptance criterion it states, each node's goal and acceptance in the plan, and each interface the plan lists (its provider builds it as defined, its users use it so).",
    "Read the code where the diff alone does not show whether a criterion is met. Report a finding with `blocking: true` for what the spec requires and the change does not do, or does wrong; the node that owns the file is sent back for a revision round. Report `blocking: false` for a note worth a person's attention that nothing requires. No findings when the change does what the spec asks.",
    "Reply with the review as JSON only.",
  ].join("\n\n");
  return reviewerAgent(model, config, { ...input, failures: "" }, ask, SpecReviewSchema);
}

async function reviewerAgent<T>(
  model: ModelClient,
  config: RepoConfig,
  input: ReviewerInput,
  ask: string,
  schema: z.ZodType<T>,
): Promise<T> {
  const maxTurns = config.limits.maxReviewerTurns;
  const system = await loadPrompt("reviewer", {
    round: String(input.round),
    max_rounds: String(config.limits.maxRevisionRounds),
    max_turns: String(maxTurns),
  });
  const ownership = input.plan.nodes
    .map((n) =>
      [
        `- \`${n.id}\` (${n.title}) owns ${n.owns.map((o) => `\`${o}\``).join(", ")}${n.dependsOn.length ? `; depends on ${n.dependsOn.map((d) => `\`${d}\``).join(", ")}` : ""}`,
        `  Goal: ${n.goal}`,
        `  Acceptance: ${n.acceptance.join("; ")}`,
      ].join("\n"),
    )
    .join("\n");
  const files = splitDiff(input.diff);
  // No commit sha here: the prompt stays the same for the same change (a recorded trace replays it).
  const changed = files.length
    ? `The pull request changes ${files.length} file${files.length === 1 ? "" : "s"}:\n${untrusted(
        "tool-output",
        files.map((f) => `${f.path}  ${f.change}  +${f.added} -${f.removed}`).join("\n"),
      )}`
    : "The pull request changes no files.";
  const diff =
    input.diff.length <= INLINE_DIFF
      ? untrusted("file", input.diff || "(empty diff)", { path: "(the pull request's diff)" })
      : `The diff is ${input.diff.length.toLocaleString("en")} characters long, too long to show here: read it file by file with the diff tool.`;
  const logs = (input.checks ?? []).filter((c) => c.conclusion !== "success");
  const prompt = buildPrompt({
    system,
    context: [
      untrusted("spec", `# ${input.spec.title}\n\n${input.spec.body}`),
      `The plan's nodes, the files each owns, and what each must deliver:\n${ownership}`,
      ...(formatInterfaces(input.plan) ? [formatInterfaces(input.plan)] : []),
    ],
    task: [
      changed,
      diff,
      input.failures ? untrusted("check-log", input.failures) : "",
      logs.length
        ? `The whole log of each failing check can be read with job_log: ${logs.map((c) => `"${c.name}"`).join(", ")}.`
        : "",
      input.request ? untrusted("review-comment", input.request.text, { author: input.request.author }) : "",
      ask,
    ]
      .filter(Boolean)
      .join("\n\n"),
  });
  const result = await runAgent(model, {
    caller: { role: "reviewer" },
    prompt,
    tools: [
      readOnlyEditorTool({
        files: headFiles(input.head.forge, input.head.sha),
        maxCharacters: VIEW_CHARACTERS,
      }),
      diffTool(input.diff),
      ...(logs.length
        ? [jobLogTool({ checks: logs, readLog: (id) => input.head.forge.readCheckLog(id) })]
        : []),
    ],
    limits: {
      maxTurns,
      maxOutputTokensPerTurn: config.agents.reviewer.maxOutputTokens,
      maxTokens: config.limits.maxTokensPerReview,
    },
    output: { what: "review", schema },
  });
  if (result.output) return result.output;
  throw noReview(result);
}

/** Why the reviewer ended without a review, and what a person can change. */
function noReview<T>(result: AgentResult<T>): StructuredOutputError {
  const retry = "comment `/swarm retry` to review again";
  switch (result.stop) {
    case "refused":
      return new StructuredOutputError(
        "The reviewer refused to produce the review.",
        "Reword the spec, then comment `/swarm retry`.",
      );
    case "max-turns":
      return new StructuredOutputError(
        `The reviewer used its ${result.turns} turns without giving a review.`,
        `Raise limits.maxReviewerTurns in .github/swarm.yml, then ${retry}.`,
      );
    case "token-limit":
      return new StructuredOutputError(
        "The reviewer reached its token limit for one review without giving a review.",
        `Raise limits.maxTokensPerReview in .github/swarm.yml, then ${retry}.`,
      );
    case "context-full":
      return new StructuredOutputError(
        "The reviewer's reading outgrew the model's context window before it gave a review.",
        `Split the spec into smaller issues, or ${retry}.`,
      );
    default:
      return new StructuredOutputError(
        `The reviewer's review still had problems after ${result.turns} turns.`,
        `${retry[0]?.toUpperCase()}${retry.slice(1)}; if it keeps failing, split the spec into smaller issues.`,
        result.outputProblems ?? [],
      );
  }
}
