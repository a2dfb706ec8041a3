import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Webhooks } from "@octokit/webhooks";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HANDLED_EVENTS, parseWebhook } from "../../src/forge/github/parse-webhook.js";
import type { ForgeEvent } from "../../src/pipeline/forge-events.js";
import { git } from "../support/fake-github/bare-repo.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { forgeFor, pushBranch } from "../support/github-rig.js";

// The package's main is a JSON file while its types declare an ES default export: require it as it is.
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
const SECRET = "webhook-secret-for-tests";

const webhooks = new Webhooks({ secret: SECRET });

/** Signs and verifies like a real delivery (X-Hub-Signature-256), then parses. */
async function receive(name: string, payload: object): Promise<ForgeEvent | null> {
  const text = JSON.stringify(payload);
  const signature = await webhooks.sign(text);
  expect(await webhooks.verify(text, signature)).toBe(true);
  expect(
    await webhooks.verify(
      text,
      signature.replace(/.$/, (c) => (c === "0" ? "1" : "0")),
    ),
  ).toBe(false);
  return parseWebhook(name, JSON.parse(text));
}

const handled = (name: string, action: string | undefined) =>
  HANDLED_EVENTS.includes(`${name}.${action}`) ||
  name === "push" ||
  (name === "pull_request" &&
    ["opened", "synchronize", "reopened", "closed", "ready_for_review"].includes(action ?? ""));

describe("parseWebhook on GitHub's example payloads", () => {
  const cases = examples.flatMap((e) =>
    e.examples.map((payload, i) => ({
      name: e.name,
      action: (payload as { action?: string }).action,
      i,
      payload,
    })),
  );

  it.each(
    cases.filter((c) => handled(c.name, c.action)).map((c) => [`${c.name}.${c.action} #${c.i}`, c] as const),
  )("parses %s", async (_, c) => {
    // Examples made outside an app lack the installation field that app deliveries always carry.
    const payload = { installation: { id: 42, node_id: "x" }, ...(c.payload as object) };
    const event = await receive(c.name, payload);
    expect(event).not.toBeNull();
    const p = payload as unknown as {
      repository: { name: string; owner: { login: string } };
      sender: { login: string };
    };
    expect(event).toMatchObject({
      installationId: expect.any(Number),
      repo: { owner: p.repository.owner.login, name: p.repository.name },
      sender: { login: p.sender.login },
    });
  });

  it("covers every event swarm handles with at least one example", () => {
    const covered = new Set(
      cases
        .filter((c) => handled(c.name, c.action))
        .map((c) => (["pull_request", "push"].includes(c.name) ? c.name : `${c.name}.${c.action}`)),
    );
    expect([...covered].sort()).toEqual([...HANDLED_EVENTS].sort());
  });

  it("ignores the events and actions swarm does not act on", async () => {
    const ignored = cases.filter((c) => !handled(c.name, c.action));
    expect(ignored.length).toBeGreaterThan(100);
    for (const c of ignored) expect(parseWebhook(c.name, c.payload), `${c.name}.${c.action}`).toBeNull();
  });

  it("names the fields when a handled payload lacks what swarm reads", () => {
    expect(() => parseWebhook("issues", { action: "labeled", repository: {}, sender: {} })).toThrow(
      /^webhook issues\.labeled does not have the fields swarm reads: installation: /,
    );
  });
});

describe("the fake GitHub's deliveries", () => {
  let fake: FakeGitHub;
  let repo: RepoState;
  const received: { event: ForgeEvent | null; name: string; signed: boolean; delivery: string }[] = [];
  const receiver = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", async () => {
      const name = String(req.headers["x-github-event"]);
      const signed = await webhooks.verify(text, String(req.headers["x-hub-signature-256"]));
      received.push({
        name,
        signed,
        delivery: String(req.headers["x-github-delivery"]),
        event: parseWebhook(name, JSON.parse(text)),
      });
      res.writeHead(202).end();
    });
  });

  beforeAll(async () => {
    fake = await startFakeGitHub();
    repo = fake.createRepo("acme", "hooks");
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    fake.webhooks.deliverTo(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, SECRET);
  });
  afterAll(async () => {
    await fake.stop();
    receiver.close();
  });
  afterEach(() => {
    expect(fake.violations.splice(0)).toEqual([]);
  });

  it("sends signed, schema-shaped events for what people and the app do", async () => {
    const spec = fake.openIssue(repo, "Add search", "Search the catalogue.");
    fake.labelIssue(repo, spec, "swarm");
    fake.commentAs(repo, spec, "/swarm status");
    const forge = forgeFor(fake, repo);
    await forge.ensureDashboardComment(spec.number, "dashboard", {
      v: 1,
      spec: spec.number,
      status: "planning",
      summary: "",
      nodeOrder: [],
    });
    const sha = pushBranch(repo, "swarm/1-add-search/integration");
    const pr = await forge.ensurePullRequest({
      head: "swarm/1-add-search/integration",
      base: "main",
      title: "Add search",
      body: "Closes #1",
      draft: true,
    });
    await forge.upsertCheckRun({
      name: "swarm",
      headSha: sha,
      status: "completed",
      conclusion: "success",
      title: "green",
      summary: "ok",
    });
    await forge.postReview({
      pullNumber: pr.number,
      commitSha: sha,
      key: "r1",
      body: "Looks right.",
      comments: [],
    });
    await fake.webhooks.settled();

    expect(received.every((r) => r.signed)).toBe(true);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(received.length);
    const events = received.map((r) => r.event);
    expect(events).toEqual([
      expect.objectContaining({
        kind: "issue-labeled",
        label: "swarm",
        issue: expect.objectContaining({ number: spec.number, title: "Add search" }),
        sender: { login: "acme", type: "User" },
      }),
      expect.objectContaining({
        kind: "comment-created",
        comment: expect.objectContaining({ body: "/swarm status" }),
        sender: { login: "acme", type: "User" },
      }),
      // The app's own comment comes back too, from a Bot: intake must ignore it.
      expect.objectContaining({ kind: "comment-created", sender: { login: "swarm-app[bot]", type: "Bot" } }),
      expect.objectContaining({
        kind: "pull-request",
        action: "opened",
        pull: { number: pr.number, headRef: "swarm/1-add-search/integration", headSha: sha, merged: false },
      }),
      expect.objectContaining({
        kind: "checks-completed",
        source: "check_run",
        headSha: sha,
        conclusion: "success",
        pullNumbers: [pr.number],
      }),
      expect.objectContaining({
        kind: "checks-completed",
        source: "check_suite",
        headSha: sha,
        conclusion: "success",
        pullNumbers: [pr.number],
      }),
      expect.objectContaining({
        kind: "review-submitted",
        pullNumber: pr.number,
        review: expect.objectContaining({ state: "commented" }),
      }),
    ]);

    expect(events.every((e) => e?.installationId === fake.app.installationId)).toBe(true);
    expect(fake.webhooks.deliveries.map((d) => d.status)).toEqual(received.map(() => 202));
  });

  it("sends a push for a branch a person moves (none when it stays), and pull_request.closed for a close", async () => {
    const branch = "swarm/1-add-search/api";
    const first = pushBranch(repo, branch);
    const from = received.length;
    fake.pushAs(repo, branch, first);
    await fake.webhooks.settled();
    expect(received.slice(from).map((r) => r.event)).toEqual([]);

    const base = received.length;
    const main = git(repo.bare, "rev-parse", "main");
    const pull = [...repo.pulls.values()][0] as NonNullable<ReturnType<typeof repo.pulls.get>>;
    fake.pushAs(repo, branch, main);
    fake.closePullAs(repo, pull);
    await fake.webhooks.settled();
    expect(received.slice(base).map((r) => r.event)).toEqual([
      expect.objectContaining({
        kind: "branch-pushed",
        branch,
        headSha: main,
        deleted: false,
        sender: { login: "acme", type: "User" },
      }),
      expect.objectContaining({
        kind: "pull-request",
        action: "closed",
        pull: expect.objectContaining({ number: pull.number, headRef: "swarm/1-add-search/integration" }),
        sender: { login: "acme", type: "User" },
      }),
    ]);
  });
});
