import { afterEach, describe, expect, it } from "vitest";
import { type ChaosRig, type ModelCall, startChaosRig } from "../support/chaos-rig.js";
import type { ScriptedReply } from "../support/fake-anthropic/script.js";
import { git } from "../support/fake-github/bare-repo.js";

// What production does to a run: Redis lost, every worker killed at each stage, a worker killed every few
// seconds, GitHub answers lost after the write and refused, model streams cut. Each scenario is the
// four-node diamond of the stats library (whose first CI fails, so it is reviewed and `stats` revised), on
// a Redis of its own, with real `swarm server` and `swarm worker` processes, every webhook delivered three
// times. Each must end green with one dashboard, one PR, and per node one sub-issue, summary and commit series.

let rig: ChaosRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

async function greenAfter(what: string, r: ChaosRig, started: number) {
  await r.green();
  console.log(`chaos: ${what} reached green in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(r.invariants()).toEqual([]);
  expect(r.github.violations).toEqual([]);
}

const T = { timeout: 200_000 };

async function launch(options?: Parameters<typeof startChaosRig>[0]): Promise<ChaosRig> {
  rig = await startChaosRig(options);
  return rig;
}

/** Labels the spec and waits for green, timing it. */
async function labelToGreen(what: string, r: ChaosRig) {
  const started = Date.now();
  r.label();
  await greenAfter(what, r, started);
}

/** A rig whose workers are all killed, and brought back, at the first model call `at` matches (it hangs). */
async function killAllAtCall(at: (call: ModelCall) => boolean) {
  const kill = { done: false };
  const r = await launch({
    hook: async (call) => {
      if (kill.done || !at(call)) return undefined;
      kill.done = true;
      await r.killAll();
      r.respawn();
      return { fault: "hang" };
    },
  });
  return { r, kill };
}

/** Every worker is killed as the `nth` such request reaches GitHub, before it is handled; new ones follow. */
function killAllAtRequest(r: ChaosRig, method: string, template: string, nth = 1) {
  const kill = { done: false };
  let seen = 0;
  r.github.onRequest((m, t) => {
    if (kill.done || m !== method || t !== template || ++seen < nth) return;
    kill.done = true;
    for (const w of r.alive()) w.child.kill("SIGKILL");
    setTimeout(() => r.respawn(), 200);
  });
  return kill;
}

describe("every worker killed", () => {
  it("during planning, after the dashboard exists: another worker plans the run", T, async () => {
    const { r, kill } = await killAllAtCall((call) => call.role === "planner");
    await labelToGreen("all workers killed during planning", r);
    expect(kill.done).toBe(true);
    expect(r.calls.filter((c) => c.role === "planner")).toHaveLength(2);
  });

  it("while laying out the plan: the rest is laid out, nothing twice", T, async () => {
    const r = await launch();
    // The third node issue's create (a GraphQL mutation that also files it under the spec).
    const kill = killAllAtRequest(r, "POST", "graphql createIssue", 3);
    await labelToGreen("all workers killed while laying out", r);
    expect(kill.done).toBe(true);
    // The plan was kept in the dashboard while it was laid out: the job that took over did not plan again.
    expect(r.calls.filter((c) => c.role === "planner")).toHaveLength(1);
  });

  it("while coding: the nodes in flight are coded again, once", T, async () => {
    const { r, kill } = await killAllAtCall((call) => call.role === "coder" && call.node === "stats");
    await labelToGreen("all workers killed while coding", r);
    expect(kill.done).toBe(true);
  });

  it("while integrating: the merge and the PR are made once", T, async () => {
    const r = await launch();
    const kill = killAllAtRequest(r, "POST", "/repos/{owner}/{repo}/pulls");
    await labelToGreen("all workers killed while integrating", r);
    expect(kill.done).toBe(true);
  });

  it("while reviewing: another worker reviews within the stalled interval", T, async () => {
    const { r } = await killAllAtCall((call) => call.role === "reviewer");
    await labelToGreen("all workers killed while reviewing", r);
    expect(r.calls.filter((c) => c.role === "reviewer")).toHaveLength(2);
  });
});

it("a worker killed every few seconds across the whole run", T, async () => {
  const r = await launch();
  let kills = 0;
  const timer = setInterval(() => {
    const victim = r.alive()[kills % Math.max(1, r.alive().length)];
    if (!victim) return;
    kills++;
    victim.child.kill("SIGKILL");
    r.spawnWorker();
  }, 3000);
  const started = Date.now();
  r.label();
  try {
    await greenAfter("a worker killed every 3 s", r, started);
  } finally {
    clearInterval(timer);
  }
  console.log(`chaos: ${kills} workers killed on the way`);
  expect(kills).toBeGreaterThan(0);
});

it("Redis lost mid-run (restarted empty, no persistence): the run is rebuilt from GitHub", T, async () => {
  const r = await launch();
  const started = Date.now();
  r.label();
  await r.until("two nodes done", () => r.nodeIssues().filter((i) => i.state === "closed").length >= 2);
  await r.redis.restartEmpty();
  await greenAfter("Redis lost while coding", r, started);
});

it("Redis lost while a node is being revised: the revision goes on, with its feedback, once", T, async () => {
  let wiped = false;
  const r = await launch({
    hook: async (call, req) => {
      if (wiped || call.role !== "coder" || call.node !== "stats" || call.turn !== 0) return undefined;
      if (!JSON.stringify(req.messages[0]).includes("This node is being revised")) return undefined;
      wiped = true;
      await r.redis.restartEmpty();
      return undefined;
    },
  });
  await labelToGreen("Redis lost during a revision", r);
  expect(wiped).toBe(true);
  // `stats` was coded from scratch once; every later start of it was the revision, with its feedback.
  const starts = r.anthropic.requests
    .map((q) => JSON.stringify(q.body.messages))
    .filter((m) => m.includes("Your node: `stats`") && !m.includes('"role":"assistant"'));
  expect(starts.filter((m) => !m.includes("This node is being revised"))).toHaveLength(1);
  expect(starts.filter((m) => m.includes("divide by `xs.length`")).length).toBeGreaterThan(0);
});

it("GitHub answers lost after the write, and 502, 403 and 429 answers", T, async () => {
  const r = await launch();
  r.github.setChaos({ lostAfterWrite: 0.08, refused: 0.04, seed: 7 });
  const started = Date.now();
  r.label();
  await r.green();
  r.github.setChaos(null);
  console.log(
    `chaos: GitHub faults reached green in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    r.github.faultCounts(),
  );
  expect(r.invariants()).toEqual([]);
  expect(r.github.violations).toEqual([]);
  expect(r.github.faultCounts()["write 502"]).toBeGreaterThan(0);
});

it("model streams cut, empty, 529, 500 and malformed answers, in every role", T, async () => {
  const faults: ScriptedReply[] = [
    { fault: "cut" },
    { fault: "empty" },
    { fault: "overloaded" },
    { fault: "server-error" },
    { fault: "malformed" },
  ];
  const seen = new Map<string, number>();
  const r = await launch({
    env: { SWARM_MODEL_MAX_ATTEMPTS: "3" },
    hook: (call) => {
      // The first two calls of each role and turn get a fault: the calls are retried where they happen.
      // `format`'s first turn fails three times, more than a call's attempts: its node job is tried again.
      const key = `${call.role}:${call.node}:${call.turn}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      if (key === "coder:format:0") return n < 3 ? { fault: "overloaded" } : undefined;
      return n < 2 ? faults[(seen.size + n) % faults.length] : undefined;
    },
  });
  await labelToGreen("model faults", r);
  expect([...seen.keys()].some((k) => k.startsWith("reviewer"))).toBe(true);
  // The error the first attempt left on `format`'s sub-issue now says it was resolved.
  const format = r.nodeIssues().find((i) => i.title.startsWith("[format]"));
  const notes = r.commentsOn(format?.number);
  expect(notes.some((c) => c.includes("Resolved: a later attempt coded it (done)"))).toBe(true);
  expect(notes.some((c) => c.includes("swarm hit a problem") && !c.includes("~~"))).toBe(false);
});

describe("what a person's command recovers", () => {
  it(
    "Redis lost while every worker restarts: /swarm status rebuilds the run from GitHub alone and says so",
    T,
    async () => {
      const r = await launch();
      const started = Date.now();
      r.label();
      await r.until("two nodes done", () => r.nodeIssues().filter((i) => i.state === "closed").length >= 2);
      // Nothing that ran remembers the run: Redis is empty and every worker is new.
      await r.killAll();
      await r.redis.restartEmpty();
      r.respawn();
      await new Promise((done) => setTimeout(done, 4000));
      const before = r.nodeIssues().map((i) => i.state);
      r.comment("/swarm status");
      await r.until("the answer to /swarm status", () =>
        r.commentsOn().some((c) => c.includes("was rebuilt from GitHub")),
      );
      const answer = r.commentsOn().find((c) => c.includes("was rebuilt from GitHub")) ?? "";
      expect(answer).toMatch(/\d of 4 nodes done/);
      expect(before.filter((s) => s === "closed").length).toBeGreaterThanOrEqual(2);
      await greenAfter("Redis and every worker lost, then /swarm status", r, started);
    },
  );

  it(
    "planning cut off with Redis lost: /swarm retry plans the run (same run, one dashboard)",
    T,
    async () => {
      let cut = false;
      const r = await launch({
        hook: async (call) => {
          if (call.role !== "planner" || cut) return undefined;
          cut = true;
          await r.killAll();
          await r.redis.restartEmpty();
          r.respawn();
          return { fault: "hang" };
        },
      });
      const started = Date.now();
      r.label();
      await r.until("planning to be cut off", () => cut && r.dashboard()?.status === "planning");
      const runId = r.dashboard()?.runId;
      await new Promise((done) => setTimeout(done, 3000));
      expect(r.dashboard()?.status).toBe("planning"); // the plan job went with Redis: nothing moves
      r.comment("/swarm retry");
      await greenAfter("planning lost with Redis, then /swarm retry", r, started);
      expect(r.dashboard()?.runId).toBe(runId);
      expect(r.commentsOn().some((c) => c.includes("had no plan yet, so it is being planned again"))).toBe(
        true,
      );
    },
  );

  it(
    "Redis lost after green: a person's /swarm revise on a line still goes to the node that owns it",
    T,
    async () => {
      const r = await launch();
      const started = Date.now();
      r.label();
      await r.green();
      await r.redis.restartEmpty();
      const pull = r.pulls()[0] as NonNullable<ReturnType<ChaosRig["pulls"]>[0]>;
      const head = git(r.repo.bare, "rev-parse", pull.head);
      r.github.reviewAs(r.repo, pull, {
        event: "COMMENT",
        comments: [{ path: "src/format.js", line: 2, body: "/swarm revise document what this returns" }],
      });
      await r.until(
        "the revision to be merged and green",
        () => git(r.repo.bare, "rev-parse", pull.head) !== head && r.dashboard()?.status === "green",
      );
      console.log(
        `chaos: Redis lost after green, then /swarm revise, green again in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(git(r.repo.bare, "show", `${pull.head}:src/format.js`)).toContain(
        "/** document what this returns */",
      );
      expect(r.commentsOn(pull.number).some((c) => c.startsWith("@acme: Sent to `format`"))).toBe(true);
      expect(r.invariants()).toEqual([]);
    },
  );

  it(
    "the reviewer's API keeps failing: the run says so, and /swarm retry reviews the head again",
    T,
    async () => {
      let down = true;
      const r = await launch({
        env: { SWARM_MODEL_MAX_ATTEMPTS: "2" },
        hook: (call) => (call.role === "reviewer" && down ? { fault: "overloaded" } : undefined),
      });
      const started = Date.now();
      r.label();
      await r.until("the reviewer to give up", () => r.dashboard()?.status === "failed");
      const pull = r.pulls()[0];
      expect(r.commentsOn(pull?.number).join("\n")).toContain("comment `/swarm retry` to review it again");
      down = false;
      r.comment("/swarm retry");
      await greenAfter("the reviewer down, then /swarm retry", r, started);
    },
  );
});
