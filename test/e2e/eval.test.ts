import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskResultSchema } from "../../src/domain/eval/eval-task.js";
import { toolResults } from "../support/agent-script.js";
import { evalModel } from "../support/eval-model.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { type Ran, runSwarm } from "../support/swarm-cli.js";
import { gitIn } from "../support/user-repo.js";

// `swarm eval` on two built-in tasks, live against the fake Messages API with a scripted model: the one it
// solves, and the one whose fix is wrong although swarm's own checks pass (only the hidden tests catch it),
// each as swarm and as one node (`--compare single`). A killed eval, started again, redoes nothing it
// finished. And a SWE-bench-format JSONL whose one instance points at a local repository loads and runs.
const root = resolve(import.meta.dirname, "../..");
let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({ model: evalModel });
});
afterAll(() => anthropic.stop());

const swarmEval = (args: string[], onStderr?: (text: string, kill: () => void) => void) =>
  runSwarm(["eval", ...args, "--scripted"], { anthropic, ...(onStderr ? { onStderr } : {}) });
const suiteOf = (...ids: string[]) => {
  const dir = mkdtempSync(join(tmpdir(), "swarm-eval-suite-"));
  for (const id of ids) cpSync(join(root, "examples/eval", id), join(dir, id), { recursive: true });
  return dir;
};
const results = (out: string) =>
  readFileSync(join(out, "results.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => TaskResultSchema.parse(JSON.parse(l)));
const plannerCalls = () =>
  anthropic.requests.filter((r) => JSON.stringify(r.body.system).includes("You are the planner"));

describe("swarm eval", () => {
  it("judges by the hidden tests, swarm beside one node; a killed eval resumes where it stopped", async () => {
    const suite = suiteOf("js-slugify", "js-money");
    const out = join(mkdtempSync(join(tmpdir(), "swarm-eval-out-")), "eval");
    // Killed as soon as its first run is recorded.
    const killed = await swarmEval(["--suite", suite, "--out", out, "--compare", "single"], (text, kill) => {
      if (/\[1\/4\] .*: (solved|not solved)/.test(text)) kill();
    });
    expect(killed.code).toBeNull();
    const first = results(out);
    expect(first).toHaveLength(1);
    const planned = plannerCalls().length;

    // Resumed two at a time: runs in one process side by side, each in its own copy.
    const ran = await swarmEval([
      "--suite",
      suite,
      "--out",
      out,
      "--compare",
      "single",
      "--concurrency",
      "2",
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain("resuming: 1 of 4 runs were done already");
    // Two at once: the third run started before the second had ended.
    const started3 = ran.stderr.search(/\[3\/4\] [^\n]*: running/);
    const ended2 = ran.stderr.search(/\[2\/4\] [^\n]*: (solved|not solved)/);
    expect(started3).toBeGreaterThan(0);
    expect(started3).toBeLessThan(ended2);
    // Three runs made, each planned once: the finished one was not made again.
    expect(plannerCalls().length - planned).toBe(3);
    const all = results(out);
    expect(all).toHaveLength(4);
    expect(all[0]).toEqual(first[0]);
    const of = (task: string, variant: string) => all.find((r) => r.task === task && r.variant === variant);

    // Solved both ways; the single run is one node, swarm's two.
    expect(of("js-slugify", "swarm")).toMatchObject({
      solved: true,
      failed: [],
      kept: true,
      swarmGreen: true,
      nodes: 2,
    });
    expect(of("js-slugify", "single")).toMatchObject({ solved: true, swarmGreen: true, nodes: 1 });
    // The wrong fix: swarm said green (its checks passed), the hidden test of the credit note failed.
    for (const variant of ["swarm", "single"])
      expect(of("js-money", variant)).toMatchObject({
        solved: false,
        swarmGreen: true,
        kept: true,
        failed: ["a credit note's minus sign comes before the dollar sign"],
      });
    // The money coder was shown its checks passing: nothing it could see said the fix was wrong.
    const money = anthropic.requests
      .filter((r) => JSON.stringify(r.body.messages[0]).includes("Your node: `money`"))
      .at(-1);
    expect(toolResults(money?.body ?? { messages: [] }).join("\n")).toContain("The checks pass");
    for (const r of all) {
      expect(r.answers).toBe("scripted");
      expect(r.usd).toBeGreaterThan(0);
      expect(r.tokensByRole.planner).toBeGreaterThan(0);
      expect(r.tokensByRole.coder).toBeGreaterThan(0);
    }

    // The table: a column for each way, the money task not solved though swarm said green, the note.
    expect(ran.stdout).toContain("The model's answers were scripted");
    expect(ran.stdout).toMatch(/^task\s+swarm\s+single$/m);
    expect(ran.stdout).toMatch(/^js-money\s+NOT solved \(said green\).+NOT solved \(said green\)/m);
    expect(ran.stdout).toMatch(/^solved\s+1 of 2 \(50%\)\s+1 of 2 \(50%\)$/m);
    const json = JSON.parse(readFileSync(join(out, "eval.json"), "utf8"));
    expect(json.note).toContain("scripted");
    expect(
      json.summary.map((s: { variant: string; solved: number; greenButUnsolved: number }) => [
        s.variant,
        s.solved,
        s.greenButUnsolved,
      ]),
    ).toEqual([
      ["swarm", 1, 1],
      ["single", 1, 1],
    ]);
    const html = readFileSync(join(out, "eval.html"), "utf8");
    expect(html).toContain("The model&#39;s answers were scripted");
    expect(html).toContain("<svg");
    expect(html).toContain("Wall time per task");
  }, 240_000);

  it("loads and runs a SWE-bench-format JSONL whose instance is a local repository", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-eval-swe-"));
    const repo = join(dir, "blog");
    cpSync(join(root, "examples/eval/js-slugify/repo"), repo, { recursive: true });
    gitIn(repo, "init", "-q", "-b", "main");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-qm", "start");
    const base = gitIn(repo, "rev-parse", "HEAD").trim();
    // The hidden test as a patch, as SWE-bench gives it.
    mkdirSync(join(repo, "test"), { recursive: true });
    writeFileSync(
      join(repo, "test/hidden.test.mjs"),
      readFileSync(join(root, "examples/eval/js-slugify/hidden/test/hidden.test.mjs")),
    );
    gitIn(repo, "add", "-N", "test/hidden.test.mjs");
    const patch = gitIn(repo, "diff");
    gitIn(repo, "rm", "-q", "--cached", "test/hidden.test.mjs");
    gitIn(repo, "clean", "-qfd");
    const spec = readFileSync(join(root, "examples/eval/js-slugify/spec.md"), "utf8");
    const line = {
      instance_id: "blog__blog-1",
      repo: "blog",
      base_commit: base,
      problem_statement: spec.replace(/^# .*\n/, "Readable post URLs\n"),
      test_patch: patch,
      FAIL_TO_PASS: JSON.stringify(["test/hidden.test.mjs"]),
      PASS_TO_PASS: ["test/posts.test.mjs"],
      test_command: "node --test",
    };
    writeFileSync(join(dir, "suite.jsonl"), `${JSON.stringify(line)}\n`);
    const out = join(dir, "out");
    // Twice, on a budget the first run spends: the second is not made.
    const ran = await swarmEval([
      "--suite",
      join(dir, "suite.jsonl"),
      "--out",
      out,
      "--repeat",
      "2",
      "--budget",
      "0.0001",
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(results(out)).toEqual([
      expect.objectContaining({
        task: "blog__blog-1",
        variant: "swarm",
        repeat: 0,
        solved: true,
        kept: true,
      }),
    ]);
    expect(ran.stdout).toContain("1 runs not made: the budget was spent.");
    expect(existsSync(join(out, "eval.html"))).toBe(true);
  }, 120_000);
});
