import { createPrivateKey } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { InputError } from "../domain/errors.js";

// The environment of the long-running commands (`swarm server`, `swarm worker`), checked at start-up: each
// message says what is wrong with a variable and what to set it to. Values are not echoed (they may be secret).

/** A whole number from `min` to `max`, or the default when unset. */
export const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\s*-?\d+\s*$/, `is not a whole number; set it to ${what} (${min} to ${max})`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `is out of range; set it to ${what} (${min} to ${max})`);

export const appId = z
  .string({ error: "is not set; set it to the GitHub App's id (a number, on the App's settings page)" })
  .regex(
    /^\s*[1-9]\d*\s*$/,
    "is not a number; set it to the GitHub App's id (a number, on the App's settings page)",
  )
  .transform(Number);

export const redisUrl = z
  .string()
  .refine((value) => {
    try {
      const u = new URL(value);
      return (u.protocol === "redis:" || u.protocol === "rediss:") && u.hostname !== "";
    } catch {
      return false;
    }
  }, "is not a Redis URL; set it to redis://[:password@]host:port (rediss:// for TLS), e.g. redis://127.0.0.1:6379")
  .default("redis://127.0.0.1:6379");

export const httpUrl = (what: string) =>
  z.string().refine((value) => {
    try {
      return /^https?:$/.test(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `is not an http(s) URL; set it to ${what}`);

export const prefix = z
  .string()
  .regex(/^[\w{}-]+$/, "may hold only letters, digits, _, -, { and }; set it to a name such as swarm")
  .default("swarm");

/** Where the App's private key comes from: the variable holding the PEM, or the one holding its path. */
export type KeyVariables = { inline: string; path: string };

/**
 * Checks `env` against `schema` and reads the App's private key; every problem found is named at once, in one
 * InputError (`swarm <command>: cannot start…`, a line per variable, then the fix), so one start-up lists them all.
 */
export function readServiceEnv<S extends z.ZodObject>(
  command: string,
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  key: KeyVariables,
  more: (env: Readonly<Record<string, string | undefined>>) => string[] = () => [],
): z.infer<S> & { privateKey: string } {
  // An empty variable (`PORT=` in an env file) means unset, as it does for most programs.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = schema.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`);
  const privateKey = readPrivateKey(given, key, problems);
  problems.push(...more(given).filter((p) => !problems.some((q) => q.split(" ")[0] === p.split(" ")[0])));
  if (!parsed.success || problems.length > 0)
    throw new InputError({
      problem: `cannot start: ${problems.length === 1 ? "an environment variable is" : `${problems.length} environment variables are`} missing or malformed.`,
      details: problems,
      fix: `set ${problems.length === 1 ? "it" : "them"} as above and start \`${command}\` again (docs/operations.md lists every variable).`,
    });
  return { ...(parsed.data as z.infer<S>), privateKey };
}

function readPrivateKey(
  env: Record<string, string | undefined>,
  key: KeyVariables,
  problems: string[],
): string {
  const hint = "the App's private key (a .pem file from the App's settings page)";
  const inline = env[key.inline];
  const path = env[key.path];
  let pem = inline?.replace(/\\n/g, "\n");
  let from = key.inline;
  if (pem === undefined && path !== undefined) {
    from = key.path;
    const file = resolve(path);
    let kind: "missing" | "directory" | "unreadable" | undefined;
    try {
      if (statSync(file).isDirectory()) kind = "directory";
      else pem = readFileSync(file, "utf8");
    } catch (error) {
      kind = (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable";
    }
    if (kind === "missing")
      problems.push(`${key.path} names a file that does not exist; set it to the path of ${hint}`);
    if (kind === "directory")
      problems.push(`${key.path} names a directory; set it to the path of ${hint} itself`);
    if (kind === "unreadable")
      problems.push(
        `${key.path} names a file swarm cannot read; make it readable, or set ${key.inline} instead`,
      );
    if (kind) return "";
  }
  if (pem === undefined) {
    problems.push(`${key.inline} is not set; set it to ${hint}, or set ${key.path} to its path`);
    return "";
  }
  try {
    createPrivateKey(pem);
    return pem;
  } catch {
    problems.push(
      `${from} ${from === key.path ? "names a file that is" : "is"} not a PEM private key; use ${hint}, which starts with -----BEGIN RSA PRIVATE KEY-----`,
    );
    return "";
  }
}
