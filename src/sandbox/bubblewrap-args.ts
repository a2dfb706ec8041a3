import { existsSync, lstatSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { SandboxBind } from "./sandbox-types.js";

export const WORKSPACE = "/workspace";
const SANDBOX_UID = "1000";

// Host variables an install step with network needs to reach the registry (paths and proxies, no secrets).
const NETWORK_PASSTHROUGH = [
  "NODE_EXTRA_CA_CERTS",
  "SSL_CERT_FILE",
  "npm_config_cafile",
  "npm_config_registry",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
];
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY|_KEY$/i;

export class UnsafeEnvError extends Error {}

/** The environment inside: a fixed base, the caller's variables, and for installs the network settings. */
export function sandboxEnv(
  extra: Readonly<Record<string, string>>,
  network: boolean,
  host: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  for (const name of Object.keys(extra)) {
    if (SECRET_NAME.test(name))
      throw new UnsafeEnvError(`refusing to pass ${name} into the sandbox: it looks like a secret`);
  }
  const nodeBin = dirname(process.execPath);
  const env: Record<string, string> = {
    PATH: [...new Set([nodeBin, "/usr/local/bin", "/usr/bin", "/bin"])].join(":"),
    HOME: "/tmp",
    TMPDIR: "/tmp",
    LANG: "C.UTF-8",
    TERM: "dumb",
    CI: "true",
    // Output is read by agents and parsers, not terminals: no colour codes.
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    // An agent edits faster than the clock's second: bytecode cached by mtime and size could go stale.
    PYTHONDONTWRITEBYTECODE: "1",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    // The working copy belongs to another uid inside; git may read it (status, diff, log) all the same.
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "safe.directory",
    GIT_CONFIG_VALUE_0: WORKSPACE,
    ...extra,
  };
  if (network) for (const name of NETWORK_PASSTHROUGH) if (host[name]) env[name] = host[name];
  return env;
}

/**
 * bubblewrap's arguments: every namespace unshared (the network too, unless installing), an unprivileged user,
 * a read-only system, the working copy as the only writable place (its .git read-only; all of it with
 * `readOnly`), a private /tmp, and nothing of the host's home, keys, environment or other working copies.
 */
export function bubblewrapArgs(
  cwd: string,
  env: Readonly<Record<string, string>>,
  network: boolean,
  binds: readonly SandboxBind[] = [],
  readOnly = false,
): string[] {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--uid",
    SANDBOX_UID,
    "--gid",
    SANDBOX_UID,
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--hostname",
    "sandbox",
  ];
  if (network) args.push("--share-net");
  args.push("--ro-bind", "/usr", "/usr");
  for (const dir of ["/bin", "/sbin", "/lib", "/lib32", "/lib64"]) {
    if (!existsSync(dir)) continue;
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push("--symlink", `usr${dir}`, dir);
    else args.push("--ro-bind", dir, dir);
  }
  // Node may live outside /usr (GitHub's runners keep it in the tool cache).
  const nodePrefix = dirname(dirname(process.execPath));
  if (!nodePrefix.startsWith("/usr")) args.push("--ro-bind", nodePrefix, nodePrefix);
  const etc = [
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
  ];
  if (network)
    etc.push(
      "/etc/resolv.conf",
      "/etc/hosts",
      "/etc/nsswitch.conf",
      "/etc/ssl",
      "/etc/ca-certificates",
      "/etc/pki",
    );
  for (const path of etc) args.push("--ro-bind-try", path, path);
  for (const name of ["NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "npm_config_cafile"]) {
    const path = env[name];
    if (network && path?.startsWith("/")) args.push("--ro-bind-try", path, path);
  }
  args.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
    readOnly ? "--ro-bind" : "--bind",
    cwd,
    WORKSPACE,
    ...gitReadOnly(cwd),
    ...binds.flatMap((b) => [b.writable ? "--bind" : "--ro-bind", b.host, b.sandbox]),
    "--chdir",
    WORKSPACE,
    // bubblewrap's root is a writable tmpfs: make it read-only, leaving only /workspace and /tmp writable.
    "--remount-ro",
    "/",
    "--clearenv",
  );

  for (const [name, value] of Object.entries(env)) args.push("--setenv", name, value);
  return args;
}

/**
 * The working copy's .git, read-only: commands may read history (git log, diff, status) but cannot commit,
 * move the branch, or plant a hook or config that swarm's own git commands would run outside the sandbox.
 * Objects borrowed from a worker's mirror (alternates) are readable at the same path.
 */
function gitReadOnly(cwd: string): string[] {
  const git = join(cwd, ".git");
  if (!existsSync(git)) return [];
  // A .git file (a worktree's) is pinned too, so a command cannot point it at another repository.
  const args = ["--ro-bind", git, `${WORKSPACE}/.git`];
  if (!lstatSync(git).isDirectory()) return args;
  try {
    const objects = join(git, "objects");
    for (const line of readFileSync(join(objects, "info/alternates"), "utf8").split("\n")) {
      const path = line.trim() ? resolve(objects, line.trim()) : "";
      if (path && existsSync(path) && !path.startsWith(`${cwd}/`)) args.push("--ro-bind", path, path);
    }
  } catch {
    /* no alternates */
  }
  return args;
}
