import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, describe, expect, it } from "vitest";
import { runLocally } from "../../src/entry/run-locally.js";
import type { TraceLine } from "../../src/model/trace/trace-line.js";
import { toolResults } from "../support/agent-script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { blocksOf, countBreakpoints } from "../support/fake-anthropic/usage.js";
import { TEST_DOWNLOADS } from "../support/node-rig.js";
import { makeUnitsRepo, UNITS_SPEC, unitsModel } from "../support/units-library.js";

// The coders of a run share one cached prefix: tools, system prompt and the run block (spec, plan,
// conventions, repository map), the same to the byte for every node, dependent ones included; a warming
// call writes it once the plan is laid out, so the three coders that start together all read it. `swarm run`
// in-process on the units library (six nodes, three at once), live against the fake Messages API with its
// documented cache rules (each model's minimum length, lookback, lifetimes); real git and sandbox.
const fakes: FakeAnthropic[] = [];
afterAll(async () => {
  for (const f of fakes) await f.stop();
});

type Body = MessageCreateParams;
const specFile = join(mkdtempSync(join(tmpdir(), "swarm-units-spec-")), "units.spec.md");
writeFileSync(specFile, UNITS_SPEC);

async function run(config: string) {
  const fake = await startFakeAnthropic({ model: unitsModel(300) });
  fakes.push(fake);
  const result = await runLocally({
    repo: makeUnitsRepo(config),
    spec: specFile,
    env: {
      ANTHROPIC_API_KEY: fake.apiKey,
      ANTHROPIC_BASE_URL: fake.url,
      PATH: process.env.PATH ?? "",
      SWARM_CACHE_DIR: TEST_DOWNLOADS,
    },
    runsDir: mkdtempSync(join(tmpdir(), "swarm-units-runs-")),
  });
  expect(result.status, result.headline).toBe("green");
  expect(fake.scriptProblems).toEqual([]);
  const trace = readFileSync(join(result.runDir, "trace.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine);
  const coders = trace.filter((l) => l.role === "coder");
  return { fake, coders, firsts: coders.filter((l) => l.node && l.turn === 0) };
}

/** The blocks of a coder's request up to the first breakpoint of its first message: its cached shared prefix. */
function sharedPart(request: Body) {
  const first = request.messages[0]?.content;
  const blocks = Array.isArray(first) ? first : [];
  const end = blocks.findIndex((b) => "cache_control" in b && b.cache_control);
  return { tools: request.tools, system: request.system, run: blocks.slice(0, end + 1) };
}
function sharedTokens(request: Body): number {
  const { tools, system, run } = sharedPart(request);
  const count = (tools?.length ?? 0) + (Array.isArray(system) ? system.length : 1) + run.length;
  return blocksOf(request)
    .slice(0, count)
    .reduce((s, b) => s + b.tokens, 0);
}

describe("the coders' shared prefix", () => {
  it("is one per run, warmed before the first coders start, and read whole by every coder", async () => {
    const { fake, coders, firsts } = await run("");
    expect(firsts.map((l) => l.node).sort()).toEqual(["density", "index", "length", "mass", "speed", "time"]);

    // One warming call, made before any node's first turn, with the coders' tools and system prompt.
    const warm = coders.filter((l) => !l.node);
    expect(warm).toHaveLength(1);
    const warming = warm[0] as TraceLine;
    expect(firsts.every((l) => l.ts >= warming.ts)).toBe(true);
    const shared = JSON.stringify(sharedPart(warming.request as Body));
    for (const l of firsts) expect(JSON.stringify(sharedPart(l.request as Body)), l.node ?? "").toBe(shared);
    // The run block holds the spec, the plan, the conventions and the repository map; the node's own part
    // (its goal, its code context) comes after it.
    const runText = JSON.stringify(sharedPart(warming.request as Body).run);
    for (const part of ["Unit conversions", "The plan:", "AGENTS.md", "repository map", "legacy/v1/"])
      expect(runText).toContain(part);
    expect(runText).not.toContain("Your node:");

    // The warming call wrote the prefix; every coder's first turn read all of it from the cache.
    const tokens = sharedTokens(warming.request as Body);
    expect(tokens).toBeGreaterThan(1000);
    expect(warming.usage?.cacheWriteTokens).toBe(tokens);
    for (const l of firsts) expect(l.usage?.cacheReadTokens, l.node ?? "").toBeGreaterThanOrEqual(tokens);

    // Never more than the API's four breakpoints, on any request of the run.
    expect(fake.requests.every((r) => countBreakpoints(r.body) <= 4)).toBe(true);
    // And the agent worked as one: `mass` was shown its failing case, fixed it, and saw the checks pass.
    const mass = coders.filter((l) => l.node === "mass").at(-1)?.request as Body;
    const shown = toolResults(mass).join("\n");
    expect(shown).toContain("the mass case failed");
    expect(shown).toContain("g: 1000");
    expect(shown.lastIndexOf("The checks pass")).toBeGreaterThan(shown.indexOf("the mass case failed"));
  }, 120_000);

  it("without the warming call, coders that start together each write it; the later ones read it", async () => {
    const { coders, firsts } = await run("cache:\n  warm: false\n");
    expect(coders.filter((l) => !l.node)).toHaveLength(0);
    const read = (l: TraceLine) => (l.usage?.cacheReadTokens ?? 0) >= sharedTokens(l.request as Body);
    const roots = firsts.filter((l) => ["length", "mass", "time"].includes(l.node ?? ""));
    expect(roots).toHaveLength(3);
    // Sent at the same moment, before any answer had started: at most one of them could find the entry.
    expect(roots.filter(read).length).toBeLessThanOrEqual(1);
    const later = firsts.filter((l) => ["speed", "density", "index"].includes(l.node ?? ""));
    expect(later).toHaveLength(3);
    expect(later.every(read)).toBe(true);
  }, 120_000);
});
