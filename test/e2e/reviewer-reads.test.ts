import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { reply, type ScriptedModel } from "../support/fake-anthropic/script.js";
import { git } from "../support/fake-github/bare-repo.js";
import type { Pull } from "../support/fake-github/state.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel, textOf } from "../support/stats-library.js";

// A reviewer that reads: CI fails with a 5,000-line log whose cause (file:line and message) is in its middle,
// below 2,500 lines of noise that end it, out of the last 60 lines the prompt shows and with no annotation.
// The scripted reviewer works as an agent does: it lists the diff, searches the log, reads the page around
// the match, and reports the file and line it read there; the revision goes to the node that owns the file.

// The suite's own check: progress noise, the mean test in the middle, teardown noise to the end.
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: the fixture's own JavaScript, with its template literals.
const LONG_CHECK = [
  'import { mean } from "../src/stats.js";',
  "for (let i = 1; i <= 2497; i++) console.log(`ok ${i} - step ${i} of the suite`);",
  "const got = mean([2, 4]);",
  'if (got !== 3) console.log("FAIL test/long-check.mjs > mean of [2, 4]\\nAssertionError: expected " + got + " to be 3 ❯ src/stats.js:4:31");',
  'else console.log("ok 2498 - mean of [2, 4]\\nok 2499 - done");',
  "for (let i = 1; i <= 2500; i++) console.log(`teardown ${i}: released worker ${i % 7}`);",
  "process.exitCode = got === 3 ? 0 : 1;",
  "",
].join("\n");
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: the fixture's own JavaScript.

const isReviewer = (req: MessageCreateParams) =>
  JSON.stringify(req.system).includes("You are the reviewer of swarm") && !isSpecCheck(req);
/** The reviewer on the green head, checking it against the spec (the stats library's script answers it). */
const isSpecCheck = (req: MessageCreateParams) =>
  JSON.stringify(req.system).includes("You are the reviewer of swarm") &&
  textOf(req).includes("check the change against the spec");
/** The text of the tool results in a request's last message. */
const lastResults = (req: MessageCreateParams) => {
  const last = req.messages.at(-1)?.content;
  return Array.isArray(last)
    ? last.map((b) => (b.type === "tool_result" ? JSON.stringify(b.content) : "")).join("\n")
    : "";
};

const reviewer = (req: MessageCreateParams) => {
  const turn = req.messages.filter((m) => m.role === "assistant").length;
  const check = /can be read with job_log: "([^"]+)"/.exec(textOf(req))?.[1];
  if (!check) return reply.json({ summary: "The checks pass.", findings: [] });
  if (turn === 0) return call.diff();
  if (turn === 1) return call.jobLog(check, { search: "FAIL|Error" });
  if (turn === 2) {
    const page = /is on page (\d+)/.exec(lastResults(req))?.[1];
    return call.jobLog(check, { page: Number(page ?? 1) });
  }
  // What the page showed: the assertion and where it points.
  const seen = lastResults(req);
  const where = /AssertionError: ([^❯]+?) ❯ ([\w./-]+):(\d+)/.exec(seen);
  if (!where) return reply.json({ summary: "The log shows no failure I can place.", findings: [] });
  return reply.json({
    summary: `The test of \`mean\` fails: ${where[1]}.`,
    findings: [
      {
        path: where[2],
        line: Number(where[3]),
        message: `${where[1]} (the log's test of mean([2, 4])): \`mean\` divides by \`xs.length + 1\`; divide by \`xs.length\`.`,
        // A wrong guess on purpose: the plan's ownership, not the model, decides who revises.
        node: "format",
        interfaceChanged: false,
      },
    ],
  });
};
const model: ScriptedModel = (req) => (isReviewer(req) ? reviewer(req) : statsLibraryModel(req));

let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(model, { execute: true });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

describe("the reviewer reads the whole log", () => {
  it("finds a failure in the middle of a 5,000-line log through job_log, and the file's owner is revised", {
    timeout: 120_000,
  }, async () => {
    const repo = createStatsLibraryRepo(rig.github, "stats-long-log", "", {
      files: { "test/long-check.mjs": LONG_CHECK },
    });
    rig.github.ci.enable(repo, "node test/long-check.mjs", { name: "test" });
    const spec = rig.github.openIssue(
      repo,
      "Stats library",
      "Write `summary(xs)`: the mean with two decimals.",
    );
    rig.github.labelIssue(repo, spec, "swarm");
    await rig.until(() => rig.reviewOutcomes.some((o) => o.kind === "green"), 100_000);
    await rig.settled();

    // The log: 5,000 lines; the cause is in the middle, the end is noise.
    const job = [...repo.jobs.values()][0];
    const lines = job?.log.trimEnd().split("\n") ?? [];
    expect(lines).toHaveLength(5000);
    const at = lines.findIndex((l) => l.startsWith("AssertionError")) + 1;
    expect(at).toBe(2500);
    expect(lines.slice(-60).join("\n")).not.toMatch(/FAIL|Error|src\/stats/);

    const asked = rig.anthropic.requests.filter((r) => isReviewer(r.body)).map((r) => r.body);
    expect(asked).toHaveLength(4);
    expect(rig.anthropic.requests.filter((r) => isSpecCheck(r.body))).toHaveLength(1);
    // Its prompt did not hold the cause: only the end of the log, and no annotation.
    expect(JSON.stringify(asked[0]?.messages)).not.toContain("AssertionError");
    expect(JSON.stringify(asked[0]?.messages)).toContain("teardown 2500: released worker");
    // The tools it had, and what they showed it: the diff, the match with its line number, then its page.
    expect(asked[0]?.tools?.map((t) => ("name" in t ? t.name : t.type))).toEqual([
      "str_replace_based_edit_tool",
      "diff",
      "job_log",
    ]);
    expect(asked[0]?.output_config?.format?.type).toBe("json_schema");
    expect(lastResults(asked[1] as MessageCreateParams)).toContain("src/stats.js  added  +5 -0");
    const search = lastResults(asked[2] as MessageCreateParams);
    expect(search).toContain('2 lines of the log of \\"test\\" (failure)');
    expect(search).toContain("  2500:\\tAssertionError: expected 2 to be 3 ❯ src/stats.js:4:31");
    expect(search).toContain("line 2499 is on page 13");
    const page = lastResults(asked[3] as MessageCreateParams);
    expect(page).toContain("page 13, lines 2401-2600");
    expect(page).toContain("  2499\\tFAIL test/long-check.mjs > mean of [2, 4]");
    expect(page).toContain("  2500\\tAssertionError: expected 2 to be 3 ❯ src/stats.js:4:31");

    // The finding went to the node that owns src/stats.js (not the node the model named), and only to it.
    expect(rig.reviewOutcomes.filter((o) => o.kind === "revising" || o.kind === "green")).toEqual([
      { kind: "revising", round: 1, nodes: ["stats"] },
      { kind: "green" },
    ]);
    const pull = [...repo.pulls.values()][0] as Pull;
    const review = pull.reviews.find((r) => r.user.login === "swarm-app[bot]");
    expect(review?.comments).toEqual([
      expect.objectContaining({
        path: "src/stats.js",
        line: 4,
        body: expect.stringContaining("expected 2 to be 3"),
      }),
    ]);
    expect(git(repo.bare, "show", `${pull.head}:src/stats.js`)).toContain("/ xs.length;");
  });
});
