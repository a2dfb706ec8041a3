import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { inTurn, type Window, type WriteLimiter } from "../forge/github/write-limiter.js";

// Every time below is Redis's clock (TIME), so workers on machines whose clocks differ still agree.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * Takes a write slot, or says how long to wait (ms; -1: poll, a write is in flight). KEYS: the finished
 * writes (a sorted set by finish time), the writes in flight (by lease expiry), the pause. ARGV: the holder,
 * the most in flight at once, the lease, the longest window, then each window's max and length.
 */
const ACQUIRE = `${NOW}
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return paused - now end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local flying = redis.call('ZCARD', KEYS[2])
if flying >= tonumber(ARGV[2]) then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[4]))
local wait = 0
for i = 5, #ARGV, 2 do
  local max = tonumber(ARGV[i])
  local span = tonumber(ARGV[i + 1])
  local inWindow = redis.call('ZCOUNT', KEYS[1], '(' .. (now - span), '+inf')
  if inWindow + flying >= max then
    if inWindow < max then return -1 end
    local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - span), '+inf', 'WITHSCORES', 'LIMIT', inWindow - max, 1)
    wait = math.max(wait, tonumber(oldest[2]) + span - now + 1)
  end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) * 2)
return 0`;

/** The write is done: it counts from now, when GitHub has surely received it. */
const RELEASE = `${NOW}
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 0`;

/** The holder is alive and its write still in flight: its slot lasts another lease. */
const RENEW = `${NOW}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
end
return 0`;

/** No writer of the installation starts before now + ARGV[1] ms (a later pause wins; an earlier one stays). */
const PAUSE = `${NOW}
local till = now + tonumber(ARGV[1])
if till > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], till, 'PX', tonumber(ARGV[1])) end
return till`;

export type RedisWriteLimiterOptions = {
  windows: readonly Window[];
  /** Content-creating requests in flight at once for the installation (GitHub advises one at a time). */
  maxConcurrent?: number;
  /** A slot whose holder died (a killed worker) is free again after this long; a live holder renews it. */
  leaseMs?: number;
  pollMs?: number;
};

/**
 * GitHub's content-creating limits for one installation, shared by every process that serves it: the
 * writes of the last hour are kept in Redis, and a write starts only when every window has room, nothing
 * else is in flight, and no secondary-limit answer has paused the installation. In a process, writes
 * queue locally first, so one caller at a time asks Redis.
 */
export function createRedisWriteLimiter(
  redis: Redis,
  prefix: string,
  installationId: number,
  options: RedisWriteLimiterOptions,
): WriteLimiter {
  const tag = `${prefix}:{gh-${installationId}}`;
  const keys = [`${tag}:writes`, `${tag}:in-flight`, `${tag}:pause`];
  const longest = Math.max(...options.windows.map((w) => w.windowMs));
  const lease = options.leaseMs ?? 5_000;
  const poll = options.pollMs ?? 25;
  const windowArgs = options.windows.flatMap((w) => [String(w.max), String(w.windowMs)]);
  const turn = inTurn();

  const acquire = async (holder: string) => {
    for (;;) {
      const wait = Number(
        await redis.eval(
          ACQUIRE,
          3,
          ...keys,
          holder,
          String(options.maxConcurrent ?? 1),
          String(lease),
          String(longest),
          ...windowArgs,
        ),
      );
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait < 0 ? poll : Math.min(wait, 5_000)));
    }
  };

  return {
    run<T>(write: () => Promise<T>): Promise<T> {
      return turn(async () => {
        const holder = randomUUID();
        await acquire(holder);
        // A write can take long (GitHub slow, or a retry waiting out a limit): the slot stays its own.
        const renew = setInterval(() => {
          void redis.eval(RENEW, 1, keys[1] as string, holder, String(lease)).catch(() => undefined);
        }, lease / 3);
        try {
          return await write();
        } finally {
          clearInterval(renew);
          await redis.eval(RELEASE, 2, keys[0] as string, keys[1] as string, holder, String(longest));
        }
      });
    },
    async pause(ms: number) {
      await redis.eval(PAUSE, 1, keys[2] as string, String(Math.max(1, Math.round(ms))));
    },
  };
}
