import type { RepoConfig } from "../../domain/config/repo-config.js";
import type { Plan } from "../../domain/plan/plan.js";
import { type Review, ReviewSchema } from "../../domain/review/review.js";
import { generateObject } from "../../model/generate-object.js";
import type { ModelClient } from "../../model/model-client.js";
import { buildPrompt } from "../../model/prompt/build-prompt.js";
import { loadPrompt } from "../../model/prompt/load-prompt.js";
import { untrusted } from "../../model/prompt/untrusted.js";

/** The diff is cut to this many characters (about 25k tokens); the failures matter more than all of it. */
const MAX_DIFF = 100_000;

/**
 * The reviewer's findings on a PR: the spec, the plan's ownership, the diff, and what failed (check
 * failures, or a person's request for changes), as structured output.
 */
export async function runReviewer(
  model: ModelClient,
  config: RepoConfig,
  input: {
    spec: { title: string; body: string };
    plan: Plan;
    diff: string;
    /** The failing checks, already as text: names, annotations, log tails. */
    failures: string;
    /** What a person asked for (`/swarm revise`, a review requesting changes), if that is why. */
    request?: { author: string; text: string };
    round: number;
  },
): Promise<Review> {
  const system = await loadPrompt("reviewer", {
    round: String(input.round),
    max_rounds: String(config.limits.maxRevisionRounds),
  });
  const ownership = input.plan.nodes
    .map(
      (n) =>
        `- \`${n.id}\` (${n.title}) owns ${n.owns.map((o) => `\`${o}\``).join(", ")}${n.dependsOn.length ? `; depends on ${n.dependsOn.map((d) => `\`${d}\``).join(", ")}` : ""}`,
    )
    .join("\n");
  const diff =
    input.diff.length > MAX_DIFF ? `${input.diff.slice(0, MAX_DIFF)}\n[diff cut here]` : input.diff;
  const prompt = buildPrompt({
    system,
    context: [
      untrusted("spec", `# ${input.spec.title}\n\n${input.spec.body}`),
      `The plan's nodes and the files each owns:\n${ownership}`,
    ],
    task: [
      untrusted("file", diff || "(empty diff)", { path: "(the pull request's diff)" }),
      input.failures ? untrusted("check-log", input.failures) : "The repository's checks pass.",
      input.request ? untrusted("review-comment", input.request.text, { author: input.request.author }) : "",
      input.request
        ? "A person with write access asked for the change above. Turn it into findings for the nodes that own the files it concerns."
        : "Find what makes the checks fail. Reply with the review as JSON only.",
    ]
      .filter(Boolean)
      .join("\n\n"),
  });
  const result = await generateObject(model, {
    caller: { role: "reviewer" },
    what: "review",
    schema: ReviewSchema,
    prompt,
    maxTokens: config.agents.reviewer.maxOutputTokens,
  });
  return result.value;
}
