import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readMarker } from "../../src/domain/markers.js";
import { createOctokit } from "../../src/forge/github/create-octokit.js";
import { createRedis } from "../../src/queue/redis.js";
import { createRedisWriteLimiter } from "../../src/queue/redis-write-limiter.js";
import { isWrite } from "../support/fake-github/server.js";
import type { Issue, RepoState } from "../support/fake-github/state.js";
import { dashboardOf } from "../support/fake-github/views.js";
import { type PlanningRig, startPlanningRig } from "../support/planning-rig.js";
import { createStatsLibraryRepo, statsLibraryModel } from "../support/stats-library.js";

// Three workers serve one installation, each with its own forges and connections, as three `swarm worker`
// processes would; they share the installation's content-creating limit through Redis. The fake GitHub
// enforces the limit (shrunk to 6 a second) and records a violation for every write past it.
const WINDOW = { max: 6, windowMs: 1000 };
let rig: PlanningRig;
beforeAll(async () => {
  rig = await startPlanningRig(statsLibraryModel, {
    execute: true,
    workers: 3,
    writeWindow: WINDOW,
    sharedWriteLimits: true,
    // GitHub's retry-after is in seconds; so is the pause here.
    retryAfterBaseValue: 1000,
  });
});
afterAll(() => rig.stop());
afterEach(() => {
  expect(rig.github.violations.splice(0)).toEqual([]);
});

const statusOf = (repo: RepoState, spec: Issue) =>
  readMarker(dashboardOf(repo, spec)?.body, "dashboard")?.status;
const writes = (from = 0) => rig.github.requests.slice(from).filter(isWrite);
/** The most writes GitHub received in any window of the limit's length. */
const mostInAWindow = (at: number[]) => {
  let most = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while ((at[i] ?? 0) - (at[j] ?? 0) >= WINDOW.windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};
let n = 0;
const label = () => {
  const repo = createStatsLibraryRepo(rig.github, `shared${++n}`);
  const spec = rig.github.openIssue(repo, "Stats library (correct)", "A mean and a summary line.");
  rig.github.labelIssue(repo, spec, "swarm");
  return { repo, spec };
};

describe("three workers on one installation", () => {
  it("stay together under the content-creating limit while two runs go green", {
    timeout: 180_000,
  }, async () => {
    const from = rig.github.requests.length;
    const runs = [label(), label()];
    await rig.until(() => runs.every((r) => statusOf(r.repo, r.spec) === "green"), 150_000);
    await rig.settled();
    const made = writes(from);
    // Enough writes that three workers writing freely could pass the limit many times over.
    expect(made.length).toBeGreaterThan(5 * WINDOW.max);
    expect(mostInAWindow(made.map((r) => r.at))).toBeLessThanOrEqual(WINDOW.max);
    expect(made.filter((r) => r.status === 403)).toEqual([]);
  });

  it("a secondary-limit answer pauses every worker's writes, and the runs still go green", {
    timeout: 120_000,
  }, async () => {
    const from = rig.github.requests.length;
    const runs = [label(), label()];
    // GitHub's secondary limits count every request of the installation: here a read is refused while the
    // runs' plans are laid out, a burst of writes (a fourth client of the installation sharing its
    // limiter in Redis lists the run's branches, which the workers, knowing their own pushes, no longer
    // read; and a read holds no write slot), and every worker's writes must wait out the second too.
    const layingOut = () =>
      rig.github.requests
        .slice(from)
        .some((r) => r.path === "/graphql" && JSON.stringify(r.body).includes("createIssue"));
    await rig.until(layingOut, 60_000);
    rig.github.inject({ status: 403, secondary: true, retryAfterS: 1, on: "/git/matching-refs" });
    const redis = createRedis();
    const reader = createOctokit({
      auth: {
        appId: rig.github.app.id,
        privateKey: rig.github.app.privateKey,
        installationId: rig.github.app.installationId,
      },
      baseUrl: rig.github.url,
      retryAfterBaseValue: 1000,
      writeLimiter: createRedisWriteLimiter(redis, rig.prefix, rig.github.app.installationId, {
        windows: [WINDOW],
      }),
    });
    await reader.rest.git.listMatchingRefs({
      owner: runs[0]?.repo.owner.login ?? "",
      repo: runs[0]?.repo.name ?? "",
      ref: "heads/swarm/",
    });
    await redis.quit();
    await rig.until(() => runs.every((r) => statusOf(r.repo, r.spec) === "green"), 100_000);
    await rig.settled();
    const refused = rig.github.requests.slice(from).find((r) => r.status === 403);
    expect(refused?.method).toBe("GET");
    const at = refused?.at ?? 0;
    const made = writes(from);
    // Writes came before it and after it...
    expect(made.some((r) => r.at < at)).toBe(true);
    expect(made.some((r) => r.at >= at + 950)).toBe(true);
    // ... but none in the second GitHub asked for, once the answer is back and the pause is in Redis: the
    // one write in flight, and one that took its slot while the 403 was on its way, may still land first.
    expect(made.filter((r) => r.at > at && r.at <= at + 200).length).toBeLessThanOrEqual(2);
    expect(made.filter((r) => r.at > at + 200 && r.at < at + 950)).toEqual([]);
    // The refused read was made again once the second had passed.
    expect(
      rig.github.requests.slice(from).some((r) => r.at >= at + 950 && r.template === refused?.template),
    ).toBe(true);
  });
});
