import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toolResults } from "../support/agent-script.js";
import { EPISODES, type Episode } from "../support/ecosystem-episodes.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { startNodeRig } from "../support/node-rig.js";

// A coder in three ecosystems with their real toolchains in the sandbox (TypeScript with tsc and vitest
// installed by the install step, Python with pytest, Go). Each scripted agent works as a real one does
// (test/support/ecosystem-episodes.ts): it explores with bash, runs one test file, reads the real failure
// text, edits with the editor, gets it wrong once, reruns, runs the checks and finishes. Every step checks
// what the agent was shown, so a tool result without the real assertion message fails the episode.

let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});
afterAll(() => anthropic.stop());

const episode = (name: string): Episode => {
  const found = EPISODES.find((e) => e.name === name);
  if (!found) throw new Error(`no episode ${name}`);
  if (found.needs) {
    try {
      execFileSync(found.needs.command, found.needs.args, { stdio: "ignore" });
    } catch {
      throw new Error(
        `${found.needs.command} is not installed here: ${found.needs.install} (bash scripts/test.sh does it).`,
      );
    }
  }
  return found;
};

async function play(e: Episode) {
  const script = e.script();
  anthropic.setModel(script);
  const rig = await startNodeRig({ anthropic, fixture: e.fixture, plan: e.plan });
  const outcome = await rig.code(e.nodeId);
  expect(script.missed).toEqual([]);
  expect(outcome).toBe("done");
  const shown = toolResults(anthropic.requests.at(-1)?.body ?? { messages: [] }).join("\n");
  return { rig, shown };
}

describe("a coder with a shell, in real toolchains", () => {
  it("TypeScript: installs with npm ci, reads vitest's assertion, fixes the rounding, passes tsc and vitest", async () => {
    const { rig, shown } = await play(episode("TypeScript"));
    expect(shown).toContain("AssertionError: expected 89.991 to be 89.99");
    expect(rig.onBranch("discount", "src/discount.ts")).toContain("Math.round(");
    expect(rig.changedOnBranch("discount")).toEqual(["src/discount.ts"]);
    // Told before it started what failed at its starting point, and the repository's conventions.
    const first = JSON.stringify(anthropic.requests.find((r) => r.body.messages.length === 1)?.body.messages);
    expect(first).toContain("were already there (pre-existing; they do not count against you)");
    expect(first).toContain("round money to cents with Math.round(x * 100) / 100");
    expect(rig.comments("discount").join("\n")).toContain("**Node `discount` is done**");
  }, 240_000);

  it("Python: reads pytest's E lines, gets the even median wrong once, then right", async () => {
    const { rig, shown } = await play(episode("Python"));
    expect(shown).toContain("assert 3 == 2.5");
    expect(shown).toContain("assert 3.5 == 2.5");
    expect(rig.onBranch("median", "stats.py")).toContain("(ordered[mid - 1] + ordered[mid]) / 2");
    // pytest's cache beside the code (no .gitignore here) was neither reverted nor committed.
    expect(rig.changedOnBranch("median")).toEqual(["stats.py"]);
    expect(shown).not.toContain("swarm reverted");
  }, 120_000);

  it("Go: reads go test's message, leaves a syntax error the editor points at, fixes it, passes vet and test", async () => {
    const { rig, shown } = await play(episode("Go"));
    expect(shown).toContain('Count("Go go GO") = map[GO:1 Go:1 go:1], want map[go:3]');
    expect(shown).toContain("Syntax check: wordcount/count.go does not parse now");
    expect(rig.onBranch("fold", "wordcount/count.go")).toContain("counts[strings.ToLower(word)]++");
  }, 120_000);
});
