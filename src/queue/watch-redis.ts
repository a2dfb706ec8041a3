import type { Redis } from "ioredis";
import { createRedis } from "./redis.js";

export type RedisWatch = {
  /** A new connection to the watched Redis (BullMQ's workers block on theirs, so each gets its own). */
  connect(): Redis;
  /** For the `error` events of BullMQ's queues and workers: lost connections are told once, the rest in a line. */
  queueError(error: unknown): void;
  /** Whether every watched connection is up (false from the first failure until they are all back). */
  readonly reachable: boolean;
  /** Resolves once Redis has been unreachable for `ms` in a row (at once if it has been for that long). */
  unreachableFor(ms: number): Promise<void>;
};

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** `url` without its password, to be shown in a log. */
function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(REDIS_URL)";
  }
}

const reasonOf = (error: unknown): string => {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && CONNECTION_CODES.has(e.code)) return e.code;
  return String(e?.message ?? error)
    .split("\n")[0]
    ?.slice(0, 200) as string;
};

const isConnectionError = (error: unknown): boolean => {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === "string" && CONNECTION_CODES.has(e.code)) return true;
  return /Connection is closed|connect ETIMEDOUT|NOAUTH|WRONGPASS|ECONN|ENOTFOUND/i.test(String(e?.message));
};

/**
 * ioredis emits `error` on every failed reconnection (and prints a stack for each when nobody listens).
 * Watched connections instead say "cannot reach Redis at <url>" once, retry quietly with ioredis's backoff,
 * and say "reached Redis again" once every one of them is back.
 */
export function watchRedis(url: string, say: (line: string) => void): RedisWatch {
  const where = safeRedisUrl(url);
  const failing = new Set<Redis>();
  let downSince: number | undefined;
  const told = new Set<string>();
  const fail = (client: Redis, error: unknown) => {
    if (failing.size === 0 && downSince === undefined) {
      downSince = Date.now();
      say(
        `cannot reach Redis at ${where} (${reasonOf(error)}); retrying quietly until it answers. Check that Redis runs there and that REDIS_URL (host, port, password) is right.`,
      );
    }
    failing.add(client);
  };
  const back = (client: Redis) => {
    failing.delete(client);
    if (failing.size === 0 && downSince !== undefined) {
      downSince = undefined;
      say(`reached Redis again at ${where}`);
    }
  };
  return {
    connect() {
      const client = createRedis(url);
      client.on("error", (error) => fail(client, error));
      client.on("ready", () => back(client));
      // A connection closed on purpose no longer counts.
      client.on("end", () => {
        failing.delete(client);
        if (failing.size === 0) downSince = undefined;
      });
      return client;
    },
    queueError(error) {
      // The connections BullMQ was given are watched above; its own copies fail with them.
      if (isConnectionError(error)) return;
      const line = reasonOf(error);
      if (told.has(line)) return;
      told.add(line);
      say(`a queue reported an error: ${line}`);
    },
    get reachable() {
      return downSince === undefined;
    },
    unreachableFor(ms) {
      return new Promise((resolve) => {
        const check = () => {
          if (downSince !== undefined && Date.now() - downSince >= ms) {
            clearInterval(timer);
            resolve();
          }
        };
        const timer = setInterval(check, 100);
        timer.unref();
        check();
      });
    },
  };
}
