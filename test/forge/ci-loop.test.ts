import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { installationToken } from "../../src/forge/github/create-octokit.js";
import { parseWebhook } from "../../src/forge/github/parse-webhook.js";
import type { CheckResult } from "../../src/pipeline/forge.js";
import type { ForgeEvent } from "../../src/pipeline/forge-events.js";
import { gitClone, gitPush } from "../../src/workspace/git-transport.js";
import { RUNNER_LOST } from "../support/fake-github/ci.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { forgeFor, octokitFor } from "../support/github-rig.js";

const CHECK = `v=$(cat src/value.txt)
if [ "$v" = "2" ]; then echo "all good"; else echo "src/value.txt:1:1: error: expected 2, found $v"; exit 1; fi
`;

let fake: FakeGitHub;
let repo: RepoState;
const events: ForgeEvent[] = [];
const receiver = createServer((req, res) => {
  let text = "";
  req.on("data", (c) => {
    text += c;
  });
  req.on("end", () => {
    const event = parseWebhook(String(req.headers["x-github-event"]), JSON.parse(text));
    if (event) events.push(event);
    res.writeHead(204).end();
  });
});

beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "calc", { "check.sh": CHECK, "src/value.txt": "1\n" });
  fake.ci.enable(repo, "sh check.sh", { name: "test" });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  fake.webhooks.deliverTo(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, "s3cret-for-ci");
});
afterAll(async () => {
  await fake.stop();
  receiver.close();
});
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const settled = async () => {
  await fake.ci.settled();
  await fake.webhooks.settled();
};
const checkEvents = () =>
  events.filter((e): e is Extract<ForgeEvent, { kind: "checks-completed" }> => e.kind === "checks-completed");

it("plays CI on a PR: a failing check with annotations and a log, then green after a pushed fix", async () => {
  const token = await installationToken(octokitFor(fake));
  const url = fake.httpCloneUrl(repo);
  const dir = join(mkdtempSync(join(tmpdir(), "swarm-ci-")), "w");
  await gitClone(url, dir, { token });
  const branch = "swarm/7-calc/integration";
  await gitPush(dir, url, [`HEAD:refs/heads/${branch}`], { token });

  const forge = forgeFor(fake, repo);
  const pr = await forge.ensurePullRequest({
    head: branch,
    base: "main",
    title: "Fix the value",
    body: "Closes #7",
    draft: true,
  });
  await settled();

  const failed = await forge.listCheckResults(pr.headSha);
  expect(failed).toEqual([
    expect.objectContaining({
      name: "test",
      conclusion: "failure",
      title: "test failed (exit 1)",
      annotations: [
        { path: "src/value.txt", startLine: 1, endLine: 1, level: "failure", message: "expected 2, found 1" },
      ],
      logTail: expect.stringContaining("src/value.txt:1:1: error: expected 2, found 1"),
    }),
  ]);
  expect(checkEvents().map((e) => [e.source, e.conclusion, e.pullNumbers])).toEqual([
    ["check_run", "failure", [pr.number]],
    ["check_suite", "failure", [pr.number]],
  ]);

  writeFileSync(join(dir, "src/value.txt"), "2\n");
  execFileSync(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "Set the value to 2"],
    { cwd: dir },
  );
  await gitPush(dir, url, [`HEAD:refs/heads/${branch}`], { token });
  await settled();

  const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim();
  expect(
    events.some((e) => e.kind === "pull-request" && e.action === "synchronize" && e.pull.headSha === head),
  ).toBe(true);
  const green = await forge.listCheckResults(head);
  expect(green).toEqual([
    expect.objectContaining({ name: "test", conclusion: "success", annotations: [], logTail: null }),
  ]);
  expect(
    checkEvents()
      .slice(-2)
      .map((e) => [e.source, e.conclusion, e.headSha]),
  ).toEqual([
    ["check_run", "success", head],
    ["check_suite", "success", head],
  ]);
});

it("re-runs the failed jobs of a workflow run: the job that lost its runner runs again, the passed one does not", async () => {
  const flaky = fake.createRepo("acme", "flaky", { "check.sh": CHECK, "src/value.txt": "2\n" });
  fake.ci.enable(flaky, "sh check.sh", { name: "test", flaky: 1 });
  fake.ci.enable(flaky, "echo lint ok", { name: "lint" });
  const branch = "swarm/8-flaky/integration";
  pushTo(flaky, branch);
  const forge = forgeFor(fake, flaky);
  const pr = await forge.ensurePullRequest({ head: branch, base: "main", title: "T", body: "", draft: true });
  await settled();

  const first = await forge.listCheckResults(pr.headSha);
  const test = first.find((c) => c.name === "test");
  const lint = first.find((c) => c.name === "lint");
  expect(test).toMatchObject({
    conclusion: "failure",
    title: "The job lost its runner",
    annotations: [expect.objectContaining({ path: ".github", message: RUNNER_LOST })],
  });
  expect(lint?.conclusion).toBe("success");
  // swarm's own check is no Actions job: there is nothing to re-run behind it.
  await forge.upsertCheckRun({
    name: "swarm",
    headSha: pr.headSha,
    status: "completed",
    conclusion: "failure",
    title: "t",
    summary: "s",
  });
  const own = (await forge.listCheckResults(pr.headSha)).find((c) => c.name === "swarm");

  const asked = await forge.rerunFailedJobs([test as CheckResult, own as CheckResult]);
  expect(asked).toEqual({
    rerun: ["test"],
    notRerun: [{ name: "swarm", why: "it is not a GitHub Actions job" }],
  });
  // At once the failed job is queued again as a new check run of the same name.
  const queued = (await forge.listCheckResults(pr.headSha)).find((c) => c.name === "test");
  expect(queued?.id).not.toBe(test?.id);
  await settled();

  const after = await forge.listCheckResults(pr.headSha);
  expect(after.filter((c) => c.name !== "swarm").map((c) => [c.name, c.conclusion, c.id])).toEqual([
    ["lint", "success", lint?.id],
    ["test", "success", queued?.id],
  ]);
  // The workflow run is one run in two attempts; the re-run's job names it, and its suite ends green.
  const jobs = [...flaky.jobs.values()].filter((j) => j.name === "test");
  expect(jobs.map((j) => [j.runAttempt, j.conclusion])).toEqual([
    [1, "failure"],
    [2, "success"],
  ]);
  expect(new Set(jobs.map((j) => j.runId)).size).toBe(1);
  expect(
    checkEvents()
      .filter((e) => e.headSha === pr.headSha)
      .slice(-2)
      .map((e) => [e.source, e.conclusion]),
  ).toEqual([
    ["check_run", "success"],
    ["check_suite", "success"],
  ]);
  const routes = fake.requests.map((r) => `${r.method} ${r.template} ${r.status}`);
  expect(routes).toContain("GET /repos/{owner}/{repo}/actions/jobs/{job_id} 200");
  expect(routes).toContain("POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs 201");
});

it("plays a workflow on a push to the default branch, whose checks the base branch's latest commit then has", async () => {
  const red = fake.createRepo("acme", "red-main", { "check.sh": CHECK, "src/value.txt": "1\n" });
  fake.ci.enable(red, "sh check.sh", { name: "test" });
  fake.ci.pushed(red, "main");
  await settled();
  const onMain = await forgeFor(fake, red).listCheckResults("main");
  expect(onMain.map((c) => [c.name, c.conclusion, c.annotations[0]?.message])).toEqual([
    ["test", "failure", "expected 2, found 1"],
  ]);
});

function pushTo(repo: RepoState, branch: string) {
  execFileSync("git", ["--git-dir", repo.bare, "branch", branch, "main"]);
}
