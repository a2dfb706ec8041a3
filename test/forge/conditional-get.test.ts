import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { NOT_MODIFIED_HEADER } from "../../src/forge/github/conditional-get.js";
import { createOctokit } from "../../src/forge/github/create-octokit.js";
import { createEtagCache, type EtagCache } from "../../src/forge/github/etag-cache.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";

// swarm's reads are conditional: the second read of something unchanged is a 304, which GitHub does not
// count against the installation's hourly limit, and it still gives the data.
let fake: FakeGitHub;
let repo: RepoState;
beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "reads");
});
afterAll(() => fake.stop());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const client = (etagCache?: EtagCache) =>
  createOctokit({
    auth: { appId: fake.app.id, privateKey: fake.app.privateKey, installationId: fake.app.installationId },
    baseUrl: fake.url,
    retryAfterBaseValue: 1,
    ...(etagCache ? { etagCache } : {}),
  });
const statuses = (since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => !r.path.includes("/access_tokens"))
    .map((r) => r.status);

it("reads unchanged comments again as a 304 with the same data, and changed ones as a 200", async () => {
  const issue = fake.openIssue(repo, "Spec", "body");
  fake.commentAs(repo, issue, "first");
  const octokit = client();
  const params = { owner: "acme", repo: "reads", issue_number: issue.number };
  const first = await octokit.rest.issues.listComments(params);
  const since = fake.requests.length;
  const used = fake.rateLimit().used;

  const again = await octokit.rest.issues.listComments(params);
  expect(statuses(since)).toEqual([304]);
  expect(again.status).toBe(200);
  expect(again.headers[NOT_MODIFIED_HEADER]).toBe("true");
  expect(again.data).toEqual(first.data);
  expect(fake.rateLimit().used).toBe(used);
  // The kept answer reports the fresh rate limit, from the 304.
  expect(again.headers["x-ratelimit-remaining"]).toBe(String(5000 - used));

  fake.commentAs(repo, issue, "second");
  const changed = await octokit.rest.issues.listComments(params);
  expect(statuses(since)).toEqual([304, 200]);
  expect(changed.headers[NOT_MODIFIED_HEADER]).toBeUndefined();
  expect(changed.data.map((c) => c.body)).toEqual(["first", "second"]);
  const edited = await octokit.rest.issues.updateComment({
    owner: "acme",
    repo: "reads",
    comment_id: changed.data[0]?.id ?? 0,
    body: "first, edited",
  });
  expect(edited.status).toBe(200);
  const afterEdit = await octokit.rest.issues.listComments(params);
  expect(afterEdit.data.map((c) => c.body)).toEqual(["first, edited", "second"]);
  expect((await octokit.rest.issues.listComments(params)).headers[NOT_MODIFIED_HEADER]).toBe("true");
});

it("shares validators between the clients of one installation that share a cache, and not otherwise", async () => {
  const issue = fake.openIssue(repo, "Shared", "body");
  const params = { owner: "acme", repo: "reads", issue_number: issue.number };
  const cache = createEtagCache();
  await client(cache).rest.issues.get(params);
  const since = fake.requests.length;
  const other = await client(cache).rest.issues.get(params);
  const own = await client().rest.issues.get(params);
  expect(statuses(since)).toEqual([304, 200]);
  expect(other.data).toEqual(own.data);
  expect(cache.stats).toEqual({ revalidated: 1, notModified: 1 });
});

it("keeps pages apart, and reads a full last page afresh so a new next page is not missed", async () => {
  const issue = fake.openIssue(repo, "Paged", "body");
  for (const body of ["c1", "c2", "c3", "c4"]) fake.commentAs(repo, issue, body);
  const octokit = client();
  const params = { owner: "acme", repo: "reads", issue_number: issue.number, per_page: 2 };
  const all = async () =>
    (await octokit.paginate(octokit.rest.issues.listComments, params)).map((c) => c.body);
  expect(await all()).toEqual(["c1", "c2", "c3", "c4"]);
  const since = fake.requests.length;
  expect(await all()).toEqual(["c1", "c2", "c3", "c4"]);
  // Page 1 has a next page (304); page 2 is full with none, so it is asked for whole.
  expect(statuses(since)).toEqual([304, 200]);

  // A fifth comment leaves pages 1 and 2 as they were (GitHub's ETag for them too) but adds a page 3.
  fake.commentAs(repo, issue, "c5");
  expect(await all()).toEqual(["c1", "c2", "c3", "c4", "c5"]);
});

it("hands out copies: a caller changing what it read does not change the next read", async () => {
  const issue = fake.openIssue(repo, "Copies", "body");
  const octokit = client();
  const params = { owner: "acme", repo: "reads", issue_number: issue.number };
  const first = await octokit.rest.issues.get(params);
  first.data.title = "changed by the caller";
  const again = await octokit.rest.issues.get(params);
  again.data.labels.push("changed too");
  const third = await octokit.rest.issues.get(params);
  expect(third.headers[NOT_MODIFIED_HEADER]).toBe("true");
  expect(third.data.title).toBe("Copies");
  expect(third.data.labels).toEqual([]);
});

it("keeps the most recently used answers within its bound", () => {
  const cache = createEtagCache(2);
  const answer = (etag: string) => ({ etag, url: "u", headers: {}, data: etag });
  cache.set("a", answer("1"));
  cache.set("b", answer("2"));
  expect(cache.get("a")?.etag).toBe("1"); // now b is the least recently used
  cache.set("c", answer("3"));
  expect(cache.size).toBe(2);
  expect(cache.get("b")).toBeUndefined();
  expect(cache.get("a")?.etag).toBe("1");
  expect(cache.get("c")?.etag).toBe("3");
});
