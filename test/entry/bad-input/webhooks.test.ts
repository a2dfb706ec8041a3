import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { request } from "node:http";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullmqJobQueue } from "../../../src/queue/bullmq-job-queue.js";
import { createRedis } from "../../../src/queue/redis.js";
import { requireRedis } from "../../support/require-redis.js";

// What reaches /api/github/webhooks that GitHub did not send, or sent in a shape swarm does not read: each is
// answered 4xx with one log line (status, event, delivery, reason) and neither the body nor a stack.
const bin = resolve(import.meta.dirname, "../../../bin/swarm.js");
const SECRET = "webhook-test-secret";
const MARK = "BODY-MARK-7f3a"; // in every body sent, so a log that holds any of a body is seen
const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const MB = 1024 * 1024;
const prefix = `swarm-test-${randomUUID().slice(0, 8)}`;
const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs1",
  format: "pem",
}) as string;

let server: ChildProcess;
let url = "";
let log = "";
beforeAll(async () => {
  await requireRedis();
  server = spawn(process.execPath, [bin, "server"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      APP_ID: "12345",
      PRIVATE_KEY: pem,
      WEBHOOK_SECRET: SECRET,
      PORT: "0",
      HOST: "127.0.0.1",
      SWARM_PREFIX: prefix,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stderr?.on("data", (d) => {
    log += d;
  });
  url = await new Promise<string>((done, fail) => {
    let out = "";
    server.stdout?.on("data", (chunk) => {
      out += chunk;
      const found = /listening on (\S+)/.exec(out)?.[1];
      if (found) done(`${found}/api/github/webhooks`);
    });
    server.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${log}`)));
  });
});
afterAll(async () => {
  server.kill("SIGTERM");
  await new Promise((done) => server.on("exit", done));
  const redis = createRedis();
  const queue = createBullmqJobQueue(redis, prefix);
  await queue.queue("plan").obliterate({ force: true });
  await queue.close();
  await redis.quit();
});

const sign = (body: string | Buffer) => `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
const headers = (event: string, delivery: string, body: string, extra: Record<string, string> = {}) => ({
  "content-type": "application/json",
  "x-github-event": event,
  "x-github-delivery": delivery,
  "x-hub-signature-256": sign(body),
  ...extra,
});
const labeled = (issue: unknown) =>
  JSON.stringify({
    action: "labeled",
    issue,
    label: { name: "swarm" },
    repository: { name: "shop", owner: { login: "acme" } },
    installation: { id: 7 },
    sender: { login: "alice", type: "User" },
    note: MARK,
  });

/** The log lines written since `before` (waits briefly: the server writes the line before it answers). */
async function linesSince(before: number, expected: number): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const lines = log.slice(before).split("\n").filter(Boolean);
    if (lines.length >= expected) return lines;
    await new Promise((r) => setTimeout(r, 20));
  }
  return log.slice(before).split("\n").filter(Boolean);
}

/** Sends a delivery and returns its status and what the server logged for it. */
async function deliver(init: { headers: Record<string, string>; body: string }) {
  const before = log.length;
  const res = await fetch(url, { method: "POST", headers: init.headers, body: init.body });
  const answer = await res.text();
  const lines = res.status >= 300 ? await linesSince(before, 1) : [];
  return { status: res.status, answer, lines };
}

/** One refusal line naming the delivery and the reason; no body, no stack. */
function expectOneLine(lines: string[], status: number, delivery: string, reason: RegExp) {
  expect(lines, lines.join("\n")).toHaveLength(1);
  const line = lines[0] ?? "";
  expect(line).toMatch(/^swarm server: webhook refused: \{/);
  const fields = JSON.parse(line.slice(line.indexOf("{")));
  expect(fields.status).toBe(status);
  expect(fields.delivery).toBe(delivery);
  expect(fields.reason).toMatch(reason);
  expect(line).not.toContain(MARK);
  expect(line.length).toBeLessThan(1000);
  expect(log).not.toMatch(STACK);
}

/** Streams `bytes` of JSON-ish filler (never held whole in memory) and resolves with the status answered. */
function stream(bytes: number, opts: { contentLength: boolean; signed: boolean }): Promise<number> {
  const chunk = Buffer.alloc(MB, "a");
  Buffer.from(MARK).copy(chunk, 10);
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= bytes) return void this.push(null);
      const n = Math.min(MB, bytes - sent);
      sent += n;
      this.push(n === MB ? chunk : chunk.subarray(0, n));
    },
  });
  return new Promise((done, fail) => {
    const req = request(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": opts.signed ? "big-signed" : "big-unsigned",
        ...(opts.signed ? { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } : {}),
        ...(opts.contentLength ? { "content-length": String(bytes) } : {}),
      },
    });
    req.on("response", (res) => {
      res.resume();
      done(res.statusCode ?? 0);
      req.destroy();
    });
    // Once answered, the rest of the upload may be cut off (EPIPE, a reset): that is the point, so an
    // error counts only when no answer came at all.
    req.on("error", (error) => {
      if (sent < bytes) setTimeout(() => fail(error), 2000).unref();
    });
    if (opts.contentLength) {
      // The length is claimed, the body never sent: the answer must come from the headers alone.
      req.flushHeaders();
      req.write(chunk);
    } else body.pipe(req);
  });
}

describe("webhooks swarm refuses", () => {
  it("unsigned: 401, one line naming the fix, without the body", async () => {
    const body = labeled({ number: 1, title: "t", body: null });
    const { "x-hub-signature-256": _, ...unsigned } = headers("issues", "d-unsigned", body);
    const r = await deliver({ headers: unsigned, body });
    expect(r.status).toBe(401);
    expectOneLine(
      r.lines,
      401,
      "d-unsigned",
      /unsigned .*set a webhook secret on the App and the same WEBHOOK_SECRET/,
    );
  });

  it("badly signed: 401, one line naming the fix, without the body", async () => {
    const body = labeled({ number: 1, title: "t", body: null });
    const r = await deliver({
      headers: headers("issues", "d-bad-sig", body, { "x-hub-signature-256": sign(`${body} `) }),
      body,
    });
    expect(r.status).toBe(401);
    expectOneLine(
      r.lines,
      401,
      "d-bad-sig",
      /signature does not match .* set WEBHOOK_SECRET to the App's webhook secret/,
    );
  });

  it("a 20 MB unsigned request: 401 and a one-line log, not 20 MB of it", async () => {
    const before = log.length;
    expect(await stream(20 * MB, { contentLength: true, signed: false })).toBe(401);
    const lines = await linesSince(before, 1);
    expectOneLine(lines, 401, "big-unsigned", /unsigned/);
    expect(log.length - before).toBeLessThan(1000);
  });

  it('signed but the wrong shape (issues.labeled with issue: "x"): 400, one line naming the field', async () => {
    const body = labeled("x");
    const r = await deliver({ headers: headers("issues", "d-shape", body), body });
    expect(r.status).toBe(400);
    expectOneLine(r.lines, 400, "d-shape", /issues\.labeled does not have the fields swarm reads: issue: /);
  });

  it("signed but a field of the wrong type (issue.number a string): 400, one line", async () => {
    const body = labeled({ number: "one", title: "t", body: null });
    const r = await deliver({ headers: headers("issues", "d-number", body), body });
    expect(r.status).toBe(400);
    expectOneLine(r.lines, 400, "d-number", /issue\.number: /);
  });

  it("signed but not JSON: 400, one line", async () => {
    const body = `{"action": "labeled", "note": "${MARK}"`;
    const r = await deliver({ headers: headers("issues", "d-not-json", body), body });
    expect(r.status).toBe(400);
    expectOneLine(r.lines, 400, "d-not-json", /^the body is not JSON$/);
  });

  it("signed JSON that is not an object: 400, one line", async () => {
    const body = JSON.stringify([MARK]);
    const r = await deliver({ headers: headers("issues", "d-array", body), body });
    expect(r.status).toBe(400);
    expectOneLine(r.lines, 400, "d-array", /^the body is not a JSON object$/);
  });

  it("signed but form-encoded: 415, one line naming the App's content-type setting", async () => {
    const body = `payload=${encodeURIComponent(labeled({ number: 1, title: "t", body: null }))}`;
    const r = await deliver({
      headers: headers("issues", "d-form", body, { "content-type": "application/x-www-form-urlencoded" }),
      body,
    });
    expect(r.status).toBe(415);
    expectOneLine(r.lines, 415, "d-form", /set the App's webhook content type to application\/json/);
  });

  it("no delivery id: 400, one line", async () => {
    const body = labeled({ number: 1, title: "t", body: null });
    const { "x-github-delivery": _, ...noId } = headers("issues", "", body);
    const before = log.length;
    const res = await fetch(url, { method: "POST", headers: noId, body });
    expect(res.status).toBe(400);
    const lines = await linesSince(before, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("missing the X-GitHub-Event or X-GitHub-Delivery header");
    expect(lines[0]).not.toContain(MARK);
  });

  it("a Content-Length past GitHub's 25 MB cap: 413 before the body is read", async () => {
    const before = log.length;
    expect(await stream(26 * MB, { contentLength: true, signed: true })).toBe(413);
    expectOneLine(await linesSince(before, 1), 413, "big-signed", /larger than 25 MB, GitHub's cap/);
  });

  it("a streamed body (no Content-Length) past 25 MB: 413 once the count passes the cap", async () => {
    const before = log.length;
    expect(await stream(27 * MB, { contentLength: false, signed: true })).toBe(413);
    expectOneLine(await linesSince(before, 1), 413, "big-signed", /larger than 25 MB/);
    // The server still answers the next delivery.
    expect((await fetch(url.replace("/api/github/webhooks", "/healthz"))).status).toBe(200);
  });
});

describe("webhooks swarm accepts", () => {
  it("an event swarm does not handle: 200, ignored, nothing logged or queued", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1, note: MARK });
    const before = log.length;
    const r = await deliver({ headers: headers("ping", "d-ping", body), body });
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 100));
    expect(log.slice(before)).toBe("");
  });

  it("a handled event's action swarm ignores (issues.opened, any shape): 200", async () => {
    const body = JSON.stringify({ action: "opened", issue: "x", note: MARK });
    const r = await deliver({ headers: headers("issues", "d-opened", body), body });
    expect(r.status).toBe(200);
  });

  it("a well-formed signed delivery is still queued after all of the above", async () => {
    const body = labeled({ number: 4, title: "Add search", body: "Search the shop." });
    const r = await deliver({ headers: headers("issues", "d-good", body), body });
    expect(r.status).toBe(200);
    const redis = createRedis();
    const queue = createBullmqJobQueue(redis, prefix);
    expect(await queue.queue("plan").getJobCounts("waiting")).toEqual({ waiting: 1 });
    await queue.close();
    await redis.quit();
    expect(log).not.toMatch(STACK);
  });
});
