import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "probot";
import { parse, stringify } from "yaml";
import { InputError } from "../domain/errors.js";

/**
 * `swarm setup --url <public url>`: Probot's manifest flow with swarm's `app.yml`. It serves a page with a
 * "Register GitHub App" button that posts the manifest to GitHub; GitHub then sends the browser back here,
 * and Probot writes the new App's APP_ID, PRIVATE_KEY and WEBHOOK_SECRET (the names `swarm server` reads)
 * to `<dir>/.env`. The App's homepage is the public URL; its webhooks go to `<url>/api/github/webhooks`.
 */
export async function startSetup(options: { url: URL; port: number; dir: string }) {
  const { url } = options; // checked by parseSetupOptions before anything is written
  await requireFreePort(options.port);
  const dir = resolve(options.dir);
  const manifest = parse(
    readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "../../app.yml"), "utf8"),
  ) as Record<string, unknown>;
  // Probot reads app.yml from the working directory and writes .env there: a folder of the setup's own.
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, "app.yml"), stringify({ ...manifest, url: url.href }));
  process.chdir(dir);
  // The manifest's webhook URL (Probot takes it from here); it also means no smee.io channel is made.
  process.env.WEBHOOK_PROXY_URL = new URL("/api/github/webhooks", url).href;
  const server = await run(() => undefined, {
    env: { PORT: String(options.port), LOG_LEVEL: "warn", NODE_ENV: "development" },
  });
  return { port: server.port, env: resolve(dir, ".env"), stop: () => server.stop() };
}

/** Probot would log a stack for a port in use; it is said here first, before anything is written. */
async function requireFreePort(port: number): Promise<void> {
  const failure = await new Promise<string | null>((done) => {
    const probe = createServer()
      .once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message))
      .listen(port, "localhost", () => probe.close(() => done(null)));
  });
  if (failure)
    throw new InputError({
      problem:
        failure === "EADDRINUSE"
          ? `--port ${port}: something on this machine already listens on that port.`
          : `--port ${port}: the setup page cannot listen on that port (${failure}).`,
      fix: "pass --port a free port above 1023 (such as 3001), or stop what uses it",
    });
}
