import { execFile } from "node:child_process";
import { redactSecrets } from "../domain/security/redact-secrets.js";

// Clone, fetch and push through a repository's clone_url. For https remotes the installation token reaches
// git only through environment variables scoped to that origin (GIT_CONFIG_COUNT/KEY/VALUE, git >= 2.31):
// never in the URL, the command line, .git/config on disk, logs or traces. Local paths and file:// remotes
// need no token (tests, and the local forge).

export type RemoteAuth = { token?: string };

/** Host variables git needs; nothing else of the worker's environment (and none of its secrets) is passed. */
const PASSED = [
  "PATH",
  "HOME",
  "LANG",
  "LC_ALL",
  "TMPDIR",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
  "GIT_SSL_CAINFO",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
];

export function gitNetworkEnv(
  remoteUrl: string,
  auth: RemoteAuth,
  host: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0", GCM_INTERACTIVE: "never" };
  for (const name of PASSED) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  if (auth.token && /^https?:\/\//.test(remoteUrl)) {
    const origin = new URL(remoteUrl).origin;
    const basic = Buffer.from(`x-access-token:${auth.token}`).toString("base64");
    Object.assign(env, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: `http.${origin}/.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    });
  }
  return env;
}

export class GitTransportError extends Error {}

function run(
  args: string[],
  options: { cwd?: string; remoteUrl: string; auth: RemoteAuth },
): Promise<string> {
  const env = gitNetworkEnv(options.remoteUrl, options.auth);
  return new Promise((resolve, reject) => {
    // No hooks (a push runs pre-push) and no fsmonitor command, whatever the repository's config says.
    const safe = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", ...args];
    execFile("git", safe, { cwd: options.cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout.trim());
      const secrets = options.auth.token
        ? [options.auth.token, Buffer.from(`x-access-token:${options.auth.token}`).toString("base64")]
        : [];
      reject(
        new GitTransportError(
          redactSecrets(`git ${args[0]} failed: ${stderr.trim() || error.message}`, secrets),
        ),
      );
    });
  });
}

/** A clone of `url` at `dir`; its origin is the token-free URL. */
export function gitClone(
  url: string,
  dir: string,
  auth: RemoteAuth,
  options: { branch?: string; depth?: number; reference?: string; noCheckout?: boolean } = {},
): Promise<string> {
  const args = ["clone", "--quiet", "--no-tags"];
  if (options.noCheckout) args.push("--no-checkout");
  if (options.branch) args.push("--branch", options.branch);
  if (options.depth) args.push("--depth", String(options.depth));
  if (options.reference) args.push("--reference", options.reference);
  return run([...args, "--", url, dir], { remoteUrl: url, auth });
}

/**
 * A bare mirror of `url` at `path`. Automatic gc is off (and fetches never prune), so objects that
 * short-lived node copies borrow through `--reference` never vanish under them.
 */
export function gitCloneMirror(url: string, path: string, auth: RemoteAuth): Promise<string> {
  return run(["clone", "--quiet", "--bare", "--no-tags", "--config", "gc.auto=0", "--", url, path], {
    remoteUrl: url,
    auth,
  });
}

/** Brings a mirror's branches up to date with `url`. */
export function gitFetchMirror(path: string, url: string, auth: RemoteAuth): Promise<string> {
  return run(["--git-dir", path, "fetch", "--quiet", "--no-tags", url, "+refs/heads/*:refs/heads/*"], {
    remoteUrl: url,
    auth,
  });
}

export function gitFetch(
  dir: string,
  url: string,
  refspecs: readonly string[],
  auth: RemoteAuth,
): Promise<string> {
  return run(["fetch", "--quiet", "--no-tags", url, ...refspecs], { cwd: dir, remoteUrl: url, auth });
}

export function gitPush(
  dir: string,
  url: string,
  refspecs: readonly string[],
  auth: RemoteAuth,
  options: { force?: boolean } = {},
): Promise<string> {
  return run(["push", "--quiet", ...(options.force ? ["--force-with-lease"] : []), url, ...refspecs], {
    cwd: dir,
    remoteUrl: url,
    auth,
  });
}
