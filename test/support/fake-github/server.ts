// A stateful fake GitHub on loopback, speaking the REST API. Every request is checked against GitHub's
// OpenAPI description; a violation is refused with 422 and recorded in `violations`, which tests assert empty.

import { type createPublicKey, generateKeyPairSync, randomBytes, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { text } from "node:stream/consumers";
import { createBareRepo, git, listBranches, resolveRef } from "./bare-repo.js";
import { createCiPlayer } from "./ci.js";
import { serveGit } from "./git-http.js";
import { githubGraphqlRoots } from "./github-graphql.js";
import { executeGraphql } from "./graphql.js";
import { githubContract } from "./openapi-contract.js";
import { createRateLimits, etagOf, type LimitWindow, type Meter, noneMatch } from "./rate-limits.js";
import { type Ctx, type FakeEvent, ROUTES } from "./routes.js";
import {
  type Actor,
  APP_BOT,
  type CheckRun,
  type Comment,
  FakeState,
  type Issue,
  type Permission,
  type Pull,
  type Reaction,
  type RepoState,
  type ReviewComment,
} from "./state.js";
import { createWebhooks } from "./webhooks.js";

/** A fault for the next request whose route template contains `on` (any route when `on` is absent). */
export type Fault = (
  | { status: 403; secondary: true; retryAfterS: number }
  | { status: 429; retryAfterS: number }
  /** With `applied`, the write is made and only its answer is lost (a gateway timing out after it). */
  | { status: 502; applied?: boolean }
  | { status: 500 }
) & { on?: string };

/** Faults drawn at random for a share of the requests (seeded, so a failing run can be replayed). */
export type Chaos = {
  /** Share of writes (POST, PATCH, PUT, DELETE) that are made but answered 502. */
  lostAfterWrite: number;
  /** Share of all requests answered 502, 403 (secondary limit) or 429 without being made. */
  refused: number;
  seed: number;
};
/** A request that writes: any but a GET, and a GraphQL query (which only reads) is not one either. */
export function isWrite(r: RecordedRequest): boolean {
  if (r.method === "GET" || r.path.includes("/access_tokens")) return false;
  if (r.template !== "graphql") return true;
  return /^\s*mutation\b/.test(String((r.body as { query?: unknown } | null)?.query ?? ""));
}

export type RecordedRequest = {
  method: string;
  path: string;
  template: string | null;
  status: number;
  body: unknown;
  /** When it arrived (ms since the epoch). */
  at: number;
  /** Set when the answer was a rate-limit refusal: the hourly primary limit, or a secondary limit. */
  limit?: "primary" | "secondary";
};

export type FakeGitHubOptions = {
  /**
   * GitHub's secondary limits on content-creating requests (80 a minute, 500 an hour), REST writes and
   * GraphQL mutations alike; tests may set their own.
   */
  contentLimit?: LimitWindow | LimitWindow[];
  /**
   * GitHub's primary limit of REST requests per installation: 5,000 an hour, the floor GitHub documents
   * for an installation (more for large organisations). Tests may shrink it.
   */
  primaryLimit?: LimitWindow;
};

/** GITHUB_TOKEN's primary limit: 1,000 requests an hour per repository (one count for all repositories here). */
const ACTIONS_TOKEN_LIMIT = 1000;

export { APP_BOT };

export async function startFakeGitHub(options: FakeGitHubOptions = {}) {
  const state = new FakeState();
  const root = mkdtempSync(`${tmpdir()}/fake-github-`);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const app = {
    id: 123456,
    privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    installationId: 987654,
  };
  /** Installation tokens, and the meter of the credential each counts against. */
  const tokens = new Map<string, { expires: number; meter: string }>();
  const installations = new Set([app.installationId]);
  let nextInstallationId = app.installationId + 1;
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const faults: Fault[] = [];
  let chaos: (Chaos & { next: () => number }) | null = null;
  const listeners: ((event: FakeEvent) => void)[] = [];
  const requestListeners: ((method: string, template: string) => void)[] = [];
  // GitHub's secondary limits on content-creating requests: 80 a minute and 500 an hour (tests shrink them).
  const contentLimits = [
    options.contentLimit ?? [
      { max: 80, windowMs: 60_000 },
      { max: 500, windowMs: 3600_000 },
    ],
  ].flat();
  const limits = createRateLimits(options.primaryLimit ?? { max: 5000, windowMs: 3600_000 }, contentLimits);
  const installationMeter = (id: number) => `installation:${id}`;
  const contract = githubContract();
  let base = "";
  const webhooks = createWebhooks(() => base, app.installationId, violations);

  // What a write on the fake sends to webhook receivers, as GitHub would.
  const deliver = (event: FakeEvent) => {
    switch (event.kind) {
      case "issue-comment": {
        const comment = event.repo.comments.get(event.commentId);
        if (comment) webhooks.commentCreated(event.repo, event.issue, comment);
        return;
      }
      case "issue-comment-edited": {
        const comment = event.repo.comments.get(event.commentId);
        if (comment) webhooks.commentEdited(event.repo, event.issue, comment, event.from, event.by);
        return;
      }
      case "pull-request":
        webhooks.pullRequest(event.repo, event.pull, event.action, event.by ?? event.pull.user);
        if (event.action === "opened" || event.action === "synchronize")
          ci.pullChanged(event.repo, event.pull);
        return;
      case "review":
        webhooks.reviewSubmitted(event.repo, event.pull, event.reviewId);
        return;
      case "review-comment":
        webhooks.reviewCommentCreated(event.repo, event.pull, event.review, event.comment);
        return;
      case "workflow-rerun":
        ci.rerun(event.repo, event.run, event.jobs);
        return;
      case "check-run": {
        const suite = event.repo.checkSuites.get(event.run.suiteId);
        // A re-run adds check runs to the suite: the latest of each name is what counts, as on GitHub.
        const latest = new Map<string, CheckRun>();
        for (const r of event.repo.checkRuns.values())
          if (r.suiteId === event.run.suiteId && (latest.get(r.name)?.id ?? -1) < r.id) latest.set(r.name, r);
        const runs = [...latest.values()];
        if (suite && runs.every((r) => r.status === "completed")) {
          suite.status = "completed";
          suite.conclusion = worstConclusion(runs);
        }
        const pulls = [...event.repo.pulls.values()].filter(
          (p) =>
            p.state === "open" && resolveRef(event.repo.bare, `refs/heads/${p.head}`) === event.run.headSha,
        );
        webhooks.checkRunCompleted(event.repo, event.run, suite, pulls);
        return;
      }
    }
  };
  listeners.push(deliver);
  const graphqlRoots = githubGraphqlRoots(state, (event) => {
    for (const listener of listeners) listener(event);
  });
  const ci = createCiPlayer(state, (repo, run) => {
    for (const listener of listeners) listener({ kind: "check-run", repo, run });
  });

  // After a push, each branch it moved gets a `push` event and open PRs whose head moved a `synchronize`
  // event, as on GitHub.
  const gitRequests: { path: string; authorized: boolean }[] = [];
  const pushed = (repo: RepoState, before: Map<string, string>, by: Actor = APP_BOT) => {
    const after = listBranches(repo.bare);
    for (const ref of new Set([...before.keys(), ...after.keys()]))
      if (before.get(ref) !== after.get(ref)) webhooks.pushed(repo, ref, before.get(ref), after.get(ref), by);
    for (const pull of repo.pulls.values()) {
      const ref = `refs/heads/${pull.head}`;
      if (pull.state === "open" && after.get(ref) !== before.get(ref)) {
        for (const listener of listeners)
          listener({ kind: "pull-request", repo, pull, action: "synchronize" });
      }
    }
  };

  const manifestCodes = new Map<string, Record<string, unknown>>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    // GitHub Enterprise Server's API lives under /api/v3 (Probot's manifest flow uses that form).
    if (url.pathname.startsWith("/api/v3/")) url.pathname = url.pathname.slice("/api/v3".length);

    // Git over HTTP, authenticated with an installation token as x-access-token (like github.com).
    const gitPath = /^\/git\/([^/]+)\/([^/]+)\.git(\/.*)$/.exec(url.pathname);
    if (gitPath) {
      const repo = state.repo(gitPath[1] ?? "", gitPath[2] ?? "");
      const basic = Buffer.from(
        (req.headers.authorization ?? "").replace(/^basic /i, ""),
        "base64",
      ).toString();
      const [user, password] = basic.split(":");
      const valid = user === "x-access-token" && (tokens.get(password ?? "")?.expires ?? 0) > Date.now();
      gitRequests.push({ path: url.pathname, authorized: valid });
      if (!repo || !valid) {
        res.writeHead(repo ? 401 : 404, { "www-authenticate": 'Basic realm="GitHub"' }).end();
        return;
      }
      const before = listBranches(repo.bare);
      serveGit(req, res, repo.bare, gitPath[3] ?? "/", () => pushed(repo, before));
      return;
    }

    const raw = await text(req);
    const requestId = randomBytes(8).toString("hex");
    // The credential this request counts against, once known; answers carry its x-ratelimit-* headers.
    let meter: { meter: Meter; resource: "core" | "graphql" } | null = null;
    const held = tokens.get((req.headers.authorization ?? "").replace(/^(token|bearer) /i, ""));
    if (held && held.expires >= Date.now()) meter = { meter: limits.meter(held.meter), resource: "core" };

    /** Answers; every answer counts against the primary limit but a 304 and a refusal by that limit. */
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}, counted = true) => {
      if (meter && counted && status !== 304) limits.count(meter.meter);
      res.writeHead(status, {
        ...(status === 304 ? {} : { "content-type": "application/json; charset=utf-8" }),
        "x-github-request-id": requestId,
        ...(meter ? limits.headers(meter.meter, meter.resource) : {}),
        ...headers,
      });
      res.end(body === undefined || status === 304 ? undefined : JSON.stringify(body));
    };
    /** Refuses a content-creating request past a secondary limit, as GitHub does (a 403 with retry-after). */
    const refusedWrite = (m: Meter, what: string): boolean => {
      const broken = limits.refuseWrite(m);
      if (!broken) return false;
      violations.push(`${what}: more than ${broken.max} content-creating requests in ${broken.windowMs} ms`);
      send(
        403,
        {
          message:
            "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
        { "retry-after": "60" },
      );
      return true;
    };

    // Job logs: GitHub redirects to a short-lived, pre-signed URL that serves plain text.
    const logs = /^\/_logs\/([^/]+)\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (logs) {
      const job = state.repo(logs[1] ?? "", logs[2] ?? "")?.jobs.get(Number(logs[3]));
      res.writeHead(job ? 200 : 404, { "content-type": "text/plain" });
      res.end(job?.log ?? "not found");
      return;
    }

    // GraphQL: what REST lacks (draft PRs, review threads) and a run's snapshot in one query.
    if (url.pathname === "/graphql" && req.method === "POST") {
      if (!held || held.expires < Date.now()) return send(401, { message: "Bad credentials" });
      // GraphQL has its own primary limit (in points; each of swarm's queries costs one here).
      meter = { meter: limits.meter(`${held.meter}:graphql`), resource: "graphql" };
      const { query, variables } = (safeJson(raw) ?? {}) as {
        query?: string;
        variables?: Record<string, unknown>;
      };
      requests.push({
        method: "POST",
        path: "/graphql",
        template: "graphql",
        status: 200,
        body: { query, variables },
        at: Date.now(),
      });
      // Listeners hear a mutation by its first field (`graphql createIssue`), a query as `graphql`.
      const mutation = /^\s*mutation\b[^{]*\{\s*(\w+)/.exec(query ?? "")?.[1];
      for (const listener of requestListeners) listener("POST", mutation ? `graphql ${mutation}` : "graphql");
      // A mutation is a content-creating request, counted with the installation's REST writes.
      if (
        /^\s*mutation\b/.test(query ?? "") &&
        refusedWrite(limits.meter(held.meter), "POST graphql mutation")
      ) {
        const last = requests.at(-1);
        if (last) Object.assign(last, { status: 403, limit: "secondary" });
        return;
      }
      const answer = executeGraphql(query ?? "", variables ?? {}, graphqlRoots);
      // swarm's queries are its own code: one GitHub would refuse is a bug, as a REST contract violation is.
      // A NOT_FOUND (an issue that is not there) is GitHub's answer to a fair question, not a bad query.
      if (answer.errors?.some((e) => e.type !== "NOT_FOUND"))
        violations.push(`POST /graphql: ${answer.errors.map((e) => e.message).join("; ")} (${query})`);
      return send(200, answer);
    }

    const method = req.method ?? "GET";
    const route = contract.match(method, url.pathname);

    const record = (status: number, limit?: "primary" | "secondary") =>
      requests.push({
        method,
        path: url.pathname,
        template: route?.template ?? null,
        status,
        body: raw ? safeJson(raw) : undefined,
        at: Date.now(),
        ...(limit ? { limit } : {}),
      });
    if (!route) {
      violations.push(`${method} ${url.pathname}: GitHub has no such route`);
      record(404);
      send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
      return;
    }
    const body = raw ? safeJson(raw) : undefined;
    const problems = contract.checkRequest(route, body);
    if (problems.length > 0) {
      violations.push(`${method} ${route.template}: ${problems.join("; ")}`);
      record(422);
      send(422, { message: `OpenAPI contract violation: ${problems.join("; ")}`, errors: problems });
      return;
    }

    // Past the primary limit GitHub refuses everything until the window resets, and says so.
    if (meter && limits.exhausted(meter.meter)) {
      const installation = meter.meter.key.startsWith("installation:")
        ? `installation ID ${meter.meter.key.slice("installation:".length)}`
        : meter.meter.key;
      record(403, "primary");
      send(
        403,
        {
          message: `API rate limit exceeded for ${installation}. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
        },
        {},
        false,
      );
      return;
    }

    for (const listener of requestListeners) listener(method, route.template);
    const faultAt = faults.findIndex(
      (f) =>
        (!f.on || route.template.includes(f.on)) &&
        // A lost answer is a write's: reads pass it by.
        !(f.status === 502 && f.applied && method === "GET"),
    );
    let fault = faultAt >= 0 ? faults.splice(faultAt, 1)[0] : undefined;
    if (!fault && chaos && !route.template.includes("/access_tokens")) {
      const draw = chaos.next();
      if (method !== "GET" && draw < chaos.lostAfterWrite) fault = { status: 502, applied: true };
      else if (draw > 1 - chaos.refused)
        fault = [
          { status: 502 as const },
          { status: 403 as const, secondary: true as const, retryAfterS: 1 },
          { status: 429 as const, retryAfterS: 1 },
        ][Math.floor(chaos.next() * 3)];
    }
    const lostAnswer = fault?.status === 502 && fault.applied === true;
    if (fault && !lostAnswer) {
      record(fault.status, fault.status === 403 || fault.status === 429 ? "secondary" : undefined);
      if (fault.status === 429) {
        send(
          429,
          {
            // GitHub answers a secondary limit with a 403 or a 429, saying which it is.
            message:
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            documentation_url:
              "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          },
          { "retry-after": String(fault.retryAfterS) },
        );
      } else if (fault.status === 403) {
        send(
          403,
          {
            message:
              "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            documentation_url:
              "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          },
          { "retry-after": String(fault.retryAfterS) },
        );
      } else {
        send(fault.status, { message: "Server Error" });
      }
      return;
    }

    const key = `${route.method} ${route.template}`;
    const auth = req.headers.authorization ?? "";
    // The manifest flow's last step needs no token: the one-time code is the credential.
    if (route.template === "/app-manifests/{code}/conversions") {
      const manifest = manifestCodes.get(route.params.code ?? "");
      manifestCodes.delete(route.params.code ?? "");
      if (!manifest) {
        record(404);
        send(404, { message: "Not Found" });
        return;
      }
      const slug = String(manifest.name)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-");
      const created = {
        ...contract.skeleton("integration"),
        id: app.id,
        slug,
        name: manifest.name,
        description: manifest.description ?? null,
        external_url: manifest.url,
        html_url: `https://github.com/apps/${slug}`,
        permissions: manifest.default_permissions,
        events: manifest.default_events,
        client_id: "Iv1.fake",
        client_secret: randomBytes(20).toString("hex"),
        webhook_secret: randomBytes(20).toString("hex"),
        pem: app.privateKey,
      };
      const shapeProblems = contract.checkResponse(route, 201, created);
      if (shapeProblems.length > 0) violations.push(`response of ${key}: ${shapeProblems.join("; ")}`);
      record(201);
      send(201, created);
      return;
    }
    if (route.template === "/app/installations/{installation_id}/access_tokens") {
      const jwtProblem = checkJwt(auth.replace(/^bearer /i, ""), app.id, publicKey);
      if (jwtProblem) {
        record(401);
        send(401, { message: `A JSON web token could not be decoded: ${jwtProblem}` });
        return;
      }
      // The App's own requests (made with its JWT) count against the App, not an installation.
      meter = { meter: limits.meter(`app:${app.id}`), resource: "core" };
      const installationId = Number(route.params.installation_id);
      if (!installations.has(installationId)) {
        record(404);
        send(404, { message: "Not Found" });
        return;
      }
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      tokens.set(token, { expires: Date.now() + 3600_000, meter: installationMeter(installationId) });
      record(201);
      send(201, {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: {
          issues: "write",
          pull_requests: "write",
          contents: "write",
          checks: "write",
          actions: "write",
          metadata: "read",
        },
        repository_selection: "all",
      });
      return;
    }
    if (!held || held.expires < Date.now()) {
      record(401);
      send(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      return;
    }

    // The secondary limit on content-creating requests, counted per credential as GitHub does.
    if (method !== "GET" && meter && refusedWrite(meter.meter, `${method} ${route.template}`)) {
      record(403, "secondary");
      return;
    }

    const handler = ROUTES[key];
    const repo = state.repo(route.params.owner ?? "", route.params.repo ?? "");
    if (!handler || !repo) {
      if (!handler)
        violations.push(`${method} ${route.template}: the fake does not implement this route yet`);
      record(404);
      send(404, { message: "Not Found" });
      return;
    }
    const ctx: Ctx = {
      state,
      base,
      repo,
      params: { ...route.params, __path: url.pathname },
      query: url.searchParams,
      body,
      actor: APP_BOT,
      emit: (event) => {
        for (const listener of listeners) listener(event);
      },
    };
    const reply = handler(ctx);
    if (reply.body !== undefined && reply.status < 300) {
      const shapeProblems = contract.checkResponse(route, reply.status, reply.body);
      if (shapeProblems.length > 0)
        violations.push(`response of ${method} ${route.template}: ${shapeProblems.join("; ")}`);
    }
    if (lostAnswer) {
      // The write stands; the client sees only a gateway error.
      record(502);
      send(502, { message: "Server Error" });
      return;
    }
    // Conditional requests: a GET's 200 carries a validator; a matching If-None-Match gets 304, no body,
    // and costs nothing against the primary limit.
    if (method === "GET" && reply.status === 200 && reply.body !== undefined) {
      const etag = etagOf(reply.body);
      const ifNoneMatch = req.headers["if-none-match"];
      if (noneMatch(Array.isArray(ifNoneMatch) ? ifNoneMatch.join(",") : ifNoneMatch, etag)) {
        record(304);
        send(304, undefined, { etag });
        return;
      }
      record(200);
      send(200, reply.body, { ...reply.headers, etag });
      return;
    }
    record(reply.status);
    send(reply.status, reply.body, reply.headers);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    state,
    app,
    requests,
    violations,
    /** Webhook receivers, the deliveries made, and a promise for the ones still under way. */
    webhooks,
    /** Git-over-HTTP requests, and whether each carried a valid installation token. */
    gitRequests,
    /** GitHub Actions, played: `ci.enable(repo, "npm test")`, then `await ci.settled()`. */
    ci,

    /** The https-style URL of a repository, served by `git http-backend` and requiring a token. */
    httpCloneUrl: (repo: RepoState) => `${base}/git/${repo.owner.login}/${repo.name}.git`,

    get url() {
      return base;
    },
    /**
     * What github.com does when a person confirms "Create GitHub App" for a posted manifest: a one-time code,
     * which the manifest flow exchanges (POST /app-manifests/{code}/conversions) for this fake's App.
     */
    manifestCode(manifest: Record<string, unknown>) {
      const code = randomBytes(10).toString("hex");
      manifestCodes.set(code, manifest);
      return code;
    },
    /** A token like the GITHUB_TOKEN GitHub Actions gives a workflow job (valid for an hour). */
    actionsToken() {
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      limits.meter("github-actions", ACTIONS_TOKEN_LIMIT);
      tokens.set(token, { expires: Date.now() + 3600_000, meter: "github-actions" });
      return token;
    },
    /** Another installation of the App (another organisation, say), with its own rate limits. */
    addInstallation(): number {
      const id = nextInstallationId++;
      installations.add(id);
      return id;
    },
    /** An installation's primary REST limit as its answers' x-ratelimit-* headers report it. */
    rateLimit(installationId: number = app.installationId) {
      const m = limits.meter(installationMeter(installationId));
      return {
        limit: m.limit,
        used: m.used,
        remaining: Math.max(0, m.limit - m.used),
        resetMs: m.start + m.windowMs,
      };
    },
    /** Answers refusing a request for a secondary limit (403 or 429 with retry-after), injected or earned. */
    get secondaryLimitAnswers() {
      return requests.filter((r) => r.limit === "secondary").length;
    },
    /** Answers refusing a request because its installation used up the hour's primary limit. */
    get primaryLimitAnswers() {
      return requests.filter((r) => r.limit === "primary").length;
    },
    /** The next requests fail with these faults, in order. */

    inject(...next: Fault[]) {
      faults.push(...next);
    },
    /** From now on, a share of requests fail at random (null turns it off). */
    setChaos(next: Chaos | null) {
      let state = next?.seed ?? 1;
      // mulberry32: small, seeded, good enough to spread faults.
      const random = () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      chaos = next ? { ...next, next: random } : null;
    },
    /** How many requests each kind of fault has met so far. */
    faultCounts() {
      const counts: Record<string, number> = {};
      for (const r of requests) {
        if (r.status < 500 && r.status !== 429 && r.status !== 403) continue;
        const kind = `${r.method === "GET" ? "read" : "write"} ${r.status}`;
        counts[kind] = (counts[kind] ?? 0) + 1;
      }
      return counts;
    },
    onEvent(listener: (event: FakeEvent) => void) {
      listeners.push(listener);
    },
    /** Told of each request as it arrives, before it is handled (a test may kill its sender then). */
    onRequest(listener: (method: string, template: string) => void) {
      requestListeners.push(listener);
    },
    /** A repository backed by a bare git repository holding `files` on its default branch. */
    createRepo(
      owner: string,
      name: string,
      files: Record<string, string> = { "README.md": `# ${name}\n` },
      options: { gitOverHttp?: boolean } = {},
    ): RepoState {
      const repo: RepoState = {
        id: state.id(),
        owner: { login: owner, id: state.id(), type: "User" },
        name,
        defaultBranch: "main",
        bare: createBareRepo(root, `${owner}-${name}`, files),
        permissions: new Map<string, Permission>([[owner, "admin"]]),
        issues: new Map(),
        labels: new Set(),
        pulls: new Map(),
        comments: new Map(),
        checkRuns: new Map(),
        checkSuites: new Map(),
        jobs: new Map(),
        workflowRuns: new Map(),
        nextNumber: 1,
        ...(options.gitOverHttp ? { gitOverHttp: true } : {}),
      };
      state.repos.set(`${owner}/${name}`.toLowerCase(), repo);
      return repo;
    },
    /** An issue opened by a person (not through the API), as a test's starting point. */
    /** A person moves a branch to `sha` (a push of theirs), and its webhooks go out. */
    pushAs(repo: RepoState, branch: string, sha: string, by: Actor = repo.owner) {
      const before = listBranches(repo.bare);
      git(repo.bare, "update-ref", `refs/heads/${branch}`, sha);
      pushed(repo, before, by);
    },
    /** A person closes a PR, and the `pull_request.closed` webhook goes out. */
    closePullAs(repo: RepoState, pull: Pull, by: Actor = repo.owner) {
      pull.state = "closed";
      deliver({ kind: "pull-request", repo, pull, action: "closed", by });
    },
    openIssue(repo: RepoState, title: string, body: string, user: Actor = repo.owner): Issue {
      return state.addIssue(repo, { title, body, labels: [], user });
    },
    /** A person labels an issue (swarm's trigger), and the `issues.labeled` webhook goes out. */
    labelIssue(repo: RepoState, issue: Issue, label: string, by: Actor = repo.owner) {
      if (!issue.labels.includes(label)) issue.labels.push(label);
      webhooks.issueLabeled(repo, issue, label, by);
    },
    /** A person comments (a `/swarm` command, say), and the `issue_comment.created` webhook goes out. */
    commentAs(repo: RepoState, issue: Issue, body: string, by: Actor = repo.owner) {
      const now = state.now();
      const comment = {
        id: state.id(),
        issueNumber: issue.number,
        body,
        user: by,
        reactions: [] as Reaction[],
        createdAt: now,
        updatedAt: now,
      };
      repo.comments.set(comment.id, comment);
      webhooks.commentCreated(repo, issue, comment);
      return comment;
    },
    /**
     * A person edits a comment in GitHub's UI (ticks a task-list box, say), and the `issue_comment.edited`
     * webhook goes out with the body before the edit.
     */
    editCommentAs(repo: RepoState, comment: Comment, body: string, by: Actor = repo.owner) {
      const issue = repo.issues.get(comment.issueNumber);
      if (!issue) throw new Error(`no issue #${comment.issueNumber}`);
      const from = comment.body;
      comment.body = body;
      comment.updatedAt = state.now();
      webhooks.commentEdited(repo, issue, comment, from, by);
      return comment;
    },
    /**
     * A person reviews a PR: line comments (each sent as `pull_request_review_comment.created`), or a review
     * with a verdict (sent as `pull_request_review.submitted`).
     */
    reviewAs(
      repo: RepoState,
      pull: Pull,
      review: {
        event: "COMMENT" | "REQUEST_CHANGES" | "APPROVE";
        body?: string;
        comments?: { path: string; line: number; body: string }[];
      },
      by: Actor = repo.owner,
    ) {
      const r = {
        id: state.id(),
        body: review.body ?? "",
        event: review.event,
        commitId: resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "",
        user: by,
        comments: (review.comments ?? []).map(
          (c): ReviewComment => ({ ...c, id: state.id(), side: "RIGHT", reactions: [] }),
        ),
        submittedAt: state.now(),
      };
      pull.reviews.push(r);
      if (review.event === "COMMENT" && !review.body)
        for (const c of r.comments) webhooks.reviewCommentCreated(repo, pull, r, c);
      else webhooks.reviewSubmitted(repo, pull, r.id);
      return r;
    },
    /** A person replies on the thread of a top-level line comment (sent as `pull_request_review_comment.created`). */
    replyAs(repo: RepoState, pull: Pull, top: ReviewComment, body: string, by: Actor = repo.owner) {
      const comment: ReviewComment = {
        id: state.id(),
        path: top.path,
        line: top.line,
        side: top.side,
        body,
        inReplyTo: top.inReplyTo ?? top.id,
        reactions: [],
      };
      const r = {
        id: state.id(),
        body: "",
        event: "COMMENT",
        commitId: resolveRef(repo.bare, `refs/heads/${pull.head}`) ?? "",
        user: by,
        comments: [comment],
        submittedAt: state.now(),
      };
      pull.reviews.push(r);
      webhooks.reviewCommentCreated(repo, pull, r, comment);
      return comment;
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));

      rmSync(root, { recursive: true, force: true });
    },
  };
}

export type FakeGitHub = Awaited<ReturnType<typeof startFakeGitHub>>;

/** A suite's conclusion from its runs: the worst one wins, as on GitHub. */
function worstConclusion(runs: CheckRun[]): string {
  const order = ["action_required", "cancelled", "timed_out", "failure", "neutral", "skipped", "success"];
  return order.find((c) => runs.some((r) => r.conclusion === c)) ?? "success";
}

/** Verifies a GitHub App JWT: RS256, signed by the app's key, issued by the app, and not expired. */

function checkJwt(jwt: string, appId: number, publicKey: ReturnType<typeof createPublicKey>): string | null {
  const [header, payload, signature] = jwt.split(".");
  if (!header || !payload || !signature) return "not a JWT";
  const ok = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, "base64url"),
  );
  if (!ok) return "signature does not verify";
  const claims = safeJson(Buffer.from(payload, "base64url").toString()) as
    | { iss?: string | number; iat?: number; exp?: number }
    | undefined;
  const now = Math.floor(Date.now() / 1000);
  if (String(claims?.iss) !== String(appId)) return "'iss' is not the app id";
  if (!claims?.exp || claims.exp <= now) return "'exp' is in the past";
  if (!claims.iat || claims.exp - claims.iat > 660) return "'exp' is too far in the future";
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export type { ServerResponse };
