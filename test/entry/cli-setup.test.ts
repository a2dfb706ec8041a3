import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";

// Probot's manifest flow with swarm's app.yml (`swarm setup`), against the fake GitHub standing in for a
// GitHub Enterprise host: the page posts the manifest; "GitHub" hands back a one-time code; Probot exchanges
// it for the App's credentials and writes them to .env; `swarm server` starts with them.
const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "bin/swarm.js");
let github: FakeGitHub;
const children: ChildProcess[] = [];
beforeAll(async () => {
  github = await startFakeGitHub();
});
afterAll(async () => {
  for (const c of children) c.kill("SIGTERM");
  await github.stop();
});

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

/** Starts a swarm command and resolves with its first stdout line that matches. */
function start(args: string[], env: Record<string, string>, cwd: string, ready: RegExp) {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
  });
  children.push(child);
  return new Promise<RegExpExecArray>((done, fail) => {
    let out = "";
    child.stdout?.on("data", (c) => {
      out += c;
      const m = ready.exec(out);
      if (m) done(m);
    });
    child.stderr?.on("data", (c) => (out += c));
    child.on("exit", (code) => fail(new Error(`exited ${code}:\n${out}`)));
  });
}

describe("swarm setup", () => {
  it("registers the App from app.yml through Probot's manifest flow, and swarm server starts with the result", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "swarm-setup-"));
    const port = await freePort();
    const host = new URL(github.url).host;
    const [, page, envPath] = await start(
      ["setup", "--url", "https://swarm.example.com", "--port", String(port)],
      { GHE_HOST: host, GHE_PROTOCOL: "http" },
      cwd,
      /open (\S+) to register the App; its credentials will be written to (\S+)\n/,
    );
    expect(envPath).toBe(join(cwd, ".swarm/setup/.env"));

    // The page's button posts swarm's manifest to the GitHub host.
    const html = await (await fetch(page ?? "")).text();
    expect(html).toContain(`http://${host}/settings/apps/new`);
    const manifest = JSON.parse(/value='([^']*)'/.exec(html)?.[1] ?? "{}");
    const appYml = parse(readFileSync(join(root, "app.yml"), "utf8"));
    expect(manifest.default_permissions).toEqual(appYml.default_permissions);
    expect(manifest.default_events).toEqual(appYml.default_events);
    expect(manifest.hook_attributes.url).toBe("https://swarm.example.com/api/github/webhooks");
    expect(manifest.url).toBe("https://swarm.example.com/");
    expect(manifest.public).toBe(false);

    // The person confirms on GitHub, which redirects back with a code; Probot exchanges it.
    const code = github.manifestCode(manifest);
    const back = await fetch(`http://localhost:${port}/probot/setup?code=${code}`, { redirect: "manual" });
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe("https://github.com/apps/swarm/installations/new");
    expect(github.violations).toEqual([]);
    const env = readFileSync(envPath ?? "", "utf8");
    const appId = /^APP_ID=(\d+)$/m.exec(env)?.[1];
    const privateKey = /^PRIVATE_KEY="([\s\S]*?)"$/m.exec(env)?.[1];
    const secret = /^WEBHOOK_SECRET=(\S+)$/m.exec(env)?.[1];
    expect(appId).toBe(String(github.app.id));
    expect(privateKey).toContain("-----BEGIN");
    expect(secret).toMatch(/^[0-9a-f]{40}$/);

    const [, url] = await start(
      ["server"],
      {
        APP_ID: appId ?? "",
        PRIVATE_KEY: privateKey ?? "",
        WEBHOOK_SECRET: secret ?? "",
        GITHUB_API_URL: github.url,
        PORT: "0",
        HOST: "127.0.0.1",
      },
      cwd,
      /listening on (\S+)/,
    );
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: "ok" });
  }, 30_000);
});
