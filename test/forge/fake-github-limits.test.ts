import { Octokit } from "@octokit/rest";
import { afterEach, expect, it } from "vitest";
import { installationToken } from "../../src/forge/github/create-octokit.js";
import { type FakeGitHub, type FakeGitHubOptions, startFakeGitHub } from "../support/fake-github/server.js";
import { octokitFor } from "../support/github-rig.js";

// The fake answers as GitHub documents its rate limits (REST API: "Rate limits for the REST API" and
// "Best practices": conditional requests). Plain Octokit, without swarm's retries, shows the raw answers.
let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function start(options: FakeGitHubOptions = {}) {
  fake = await startFakeGitHub(options);
  const repo = fake.createRepo("acme", "limits");
  const issue = fake.openIssue(repo, "An issue", "Its body");
  return { fake, repo, issue };
}

/** Octokit as any client would use it, with an installation token from the App's real auth flow. */
async function plainOctokit(github: FakeGitHub, installationId = github.app.installationId) {
  const app = octokitFor(github);
  const token =
    installationId === github.app.installationId
      ? await installationToken(app)
      : ((await app.auth({ type: "installation", installationId })) as { token: string }).token;
  const quiet = () => {};
  return new Octokit({
    auth: token,
    baseUrl: github.url,
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
}

type Answer = { status: number; headers: Record<string, unknown>; data: unknown };
/** An answer whatever its status: Octokit throws for 304 and 4xx, with the answer in `response`. */
const answerOf = (sent: Promise<Answer>): Promise<Answer> =>
  sent.then(
    (r) => ({ status: r.status, headers: r.headers, data: r.data }),
    (e: { status: number; response: Answer }) => ({
      status: e.status,
      headers: e.response.headers,
      data: e.response.data,
    }),
  );

const limitOf = (headers: Record<string, unknown>) => ({
  limit: headers["x-ratelimit-limit"],
  remaining: headers["x-ratelimit-remaining"],
  used: headers["x-ratelimit-used"],
  resource: headers["x-ratelimit-resource"],
});

it("reports the installation's primary limit on every answer, counting down", async () => {
  const { fake, issue } = await start();
  const octokit = await plainOctokit(fake);
  const a = await octokit.rest.repos.get({ owner: "acme", repo: "limits" });
  const b = await octokit.rest.issues.get({ owner: "acme", repo: "limits", issue_number: issue.number });
  const missing = await answerOf(
    octokit.rest.issues.get({ owner: "acme", repo: "limits", issue_number: 999 }),
  );
  expect(limitOf(a.headers)).toEqual({ limit: "5000", remaining: "4999", used: "1", resource: "core" });
  expect(limitOf(b.headers)).toEqual({ limit: "5000", remaining: "4998", used: "2", resource: "core" });
  // Failed requests count too.
  expect(missing.status).toBe(404);
  expect(limitOf(missing.headers)).toMatchObject({ remaining: "4997", used: "3" });
  const reset = Number(b.headers["x-ratelimit-reset"]) * 1000;
  expect(reset).toBeGreaterThan(Date.now() + 3500_000);
  expect(reset).toBeLessThanOrEqual(Date.now() + 3601_000);
  expect(fake.rateLimit()).toMatchObject({ limit: 5000, used: 3, remaining: 4997 });
});

it("answers a matching If-None-Match with 304, no body, and does not count it", async () => {
  const { fake, repo, issue } = await start();
  const octokit = await plainOctokit(fake);
  const params = { owner: "acme", repo: "limits", issue_number: issue.number };
  const first = await octokit.rest.issues.listComments(params);
  const etag = String(first.headers.etag);
  expect(etag).toMatch(/^W\/"[0-9a-f]{64}"$/);
  const used = fake.rateLimit().used;

  const again = await answerOf(
    octokit.rest.issues.listComments({ ...params, headers: { "if-none-match": etag } }),
  );
  expect(again.status).toBe(304);
  expect(again.data).toBe("");
  expect(again.headers.etag).toBe(etag);
  expect(again.headers["x-ratelimit-remaining"]).toBe(String(5000 - used));
  expect(fake.rateLimit().used).toBe(used);
  expect(fake.requests.at(-1)).toMatchObject({ method: "GET", status: 304 });

  // A change gives a new validator, and the old one no longer matches.
  fake.commentAs(repo, issue, "A new comment");
  const changed = await octokit.rest.issues.listComments({ ...params, headers: { "if-none-match": etag } });
  expect(changed.status).toBe(200);
  expect(changed.data.map((c) => c.body)).toEqual(["A new comment"]);
  expect(changed.headers.etag).not.toBe(etag);
  expect(fake.rateLimit().used).toBe(used + 1);
});

it("refuses every request past the primary limit with 403 until the window resets", async () => {
  const { fake, repo } = await start({ primaryLimit: { max: 3, windowMs: 1500 } });
  const octokit = await plainOctokit(fake);
  const read = () => answerOf(octokit.rest.repos.get({ owner: "acme", repo: "limits" }));
  const answers = [await read(), await read(), await read(), await read()];
  expect(answers.map((a) => [a.status, a.headers["x-ratelimit-remaining"]])).toEqual([
    [200, "2"],
    [200, "1"],
    [200, "0"],
    [403, "0"],
  ]);
  expect(answers[3]?.data).toMatchObject({
    message: expect.stringMatching(
      new RegExp(`^API rate limit exceeded for installation ID ${fake.app.installationId}\\.`),
    ),
    documentation_url: expect.stringContaining("docs.github.com/rest/overview/rate-limits-for-the-rest-api"),
  });
  const write = await answerOf(
    octokit.rest.issues.create({ owner: "acme", repo: "limits", title: "refused" }),
  );
  expect(write.status).toBe(403);
  expect([...repo.issues.values()].map((i) => i.title)).toEqual(["An issue"]);
  expect(fake.primaryLimitAnswers).toBe(2);

  // Another installation has its own count.
  const other = await plainOctokit(fake, fake.addInstallation());
  const elsewhere = await other.rest.repos.get({ owner: "acme", repo: "limits" });
  expect(elsewhere.headers["x-ratelimit-remaining"]).toBe("2");

  // The window resets at x-ratelimit-reset, and the installation is served again.
  const reset = Number(answers[3]?.headers["x-ratelimit-reset"]) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, reset - Date.now()) + 50));
  expect((await read()).status).toBe(200);
});

it("refuses content-creating bursts past the secondary limit with 403 and retry-after, and counts them", async () => {
  const { fake, issue } = await start({ contentLimit: { max: 2, windowMs: 60_000 } });
  const octokit = await plainOctokit(fake);
  const comment = (body: string) =>
    answerOf(
      octokit.rest.issues.createComment({ owner: "acme", repo: "limits", issue_number: issue.number, body }),
    );
  const answers = [await comment("one"), await comment("two"), await comment("three")];
  expect(answers.map((a) => a.status)).toEqual([201, 201, 403]);
  expect(answers[2]?.headers["retry-after"]).toBe("60");
  expect(answers[2]?.data).toMatchObject({ message: expect.stringContaining("secondary rate limit") });
  // Reads are not content-creating.
  expect(
    (await octokit.rest.issues.listComments({ owner: "acme", repo: "limits", issue_number: issue.number }))
      .status,
  ).toBe(200);
  expect(fake.secondaryLimitAnswers).toBe(1);
  expect(fake.violations.splice(0)).toEqual([
    "POST /repos/{owner}/{repo}/issues/{issue_number}/comments: more than 2 content-creating requests in 60000 ms",
  ]);
});

it("counts GraphQL mutations with REST writes against every window of the secondary limits, and not queries", async () => {
  // A minute's window and a longer one, as GitHub's 80 a minute and 500 an hour.
  const { fake, issue } = await start({
    contentLimit: [
      { max: 10, windowMs: 60_000 },
      { max: 3, windowMs: 3_600_000 },
    ],
  });
  const octokit = await plainOctokit(fake);
  const query = () =>
    answerOf(
      octokit.request("POST /graphql", {
        query: "query($o: String!, $n: String!) { repository(owner: $o, name: $n) { id } }",
        variables: { o: "acme", n: "limits" },
      }),
    );
  const mutation = () =>
    answerOf(
      octokit.request("POST /graphql", {
        query: "mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id } } }",
        variables: { id: "PRRT_none" },
      }),
    );
  const comment = () =>
    answerOf(
      octokit.rest.issues.createComment({
        owner: "acme",
        repo: "limits",
        issue_number: issue.number,
        body: "x",
      }),
    );
  expect((await comment()).status).toBe(201);
  expect((await mutation()).status).toBe(200); // answered (its thread is not there), and counted
  for (let i = 0; i < 5; i++) expect((await query()).status).toBe(200); // queries never count
  expect((await comment()).status).toBe(201);
  const refused = await mutation();
  expect(refused.status).toBe(403);
  expect(refused.headers["retry-after"]).toBe("60");
  // The hour's window, well before the minute's.
  expect(fake.violations.splice(0)).toEqual([
    "POST graphql mutation: more than 3 content-creating requests in 3600000 ms",
  ]);
  expect(fake.secondaryLimitAnswers).toBe(1);
});
