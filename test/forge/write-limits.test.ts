import { afterAll, beforeAll, expect, it } from "vitest";
import { createGitHubForge } from "../../src/forge/github/create-github-forge.js";
import { createWriteLimiter } from "../../src/forge/github/write-limiter.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { octokitFor } from "../support/github-rig.js";

// GitHub allows 80 content-creating requests a minute; the fake enforces the same rule on a window shrunk to
// 10 a second, so the test takes seconds instead of minutes.
const WINDOW = { max: 10, windowMs: 1000 };
let fake: FakeGitHub;
let repo: RepoState;
beforeAll(async () => {
  fake = await startFakeGitHub({ contentLimit: WINDOW });
  repo = fake.createRepo("acme", "busy");
});
afterAll(() => fake.stop());

it("paces a burst of writes to stay within the content-creation limit", async () => {
  const issues = Array.from({ length: 25 }, (_, i) => fake.openIssue(repo, `issue ${i}`, "body"));
  const forge = createGitHubForge(octokitFor(fake, [WINDOW]), "acme", "busy");
  const started = performance.now();
  await Promise.all(issues.map((issue) => forge.addReaction({ issueNumber: issue.number }, "eyes")));
  expect(performance.now() - started).toBeGreaterThanOrEqual(2000); // 25 writes, 10 per second
  expect(fake.violations.splice(0)).toEqual([]);
  expect(fake.requests.filter((r) => r.status === 403)).toEqual([]);
  expect(issues.every((i) => i.reactions.length === 1)).toBe(true);
});

it("is needed: without the limiter the same burst trips the limit", async () => {
  const issues = Array.from({ length: 25 }, (_, i) => fake.openIssue(repo, `more ${i}`, "body"));
  await new Promise((resolve) => setTimeout(resolve, WINDOW.windowMs));
  const unpaced = createGitHubForge(octokitFor(fake, [{ max: 1000, windowMs: 1000 }]), "acme", "busy");
  await Promise.allSettled(issues.map((issue) => unpaced.addReaction({ issueNumber: issue.number }, "eyes")));
  expect(fake.violations.splice(0).some((v) => v.includes("more than 10 content-creating requests"))).toBe(
    true,
  );
});

it("honours every window at once (80 a minute and 500 an hour)", async () => {
  let now = 0;
  const limiter = createWriteLimiter(
    [
      { max: 3, windowMs: 100 },
      { max: 5, windowMs: 1000 },
    ],
    () => now,
  );
  const times: number[] = [];
  const clock = setInterval(() => {
    now += 10;
  }, 1);
  for (let i = 0; i < 7; i++) {
    await limiter.run(async () => times.push(now));
  }

  clearInterval(clock);
  // Three right away, two more once the short window has passed, then the long window holds the rest.
  expect(times.slice(0, 3).every((t) => t < 100)).toBe(true);
  expect(times[3]).toBeGreaterThanOrEqual(100);
  expect(times[5]).toBeGreaterThanOrEqual(1000);
});
