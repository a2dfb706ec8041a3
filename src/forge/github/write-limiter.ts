export type Window = { max: number; windowMs: number };

/**
 * GitHub's secondary limits on content-creating requests are 80 a minute and 500 an hour. swarm keeps a
 * tenth of the minute's in hand (GitHub's minute and swarm's need not line up to the millisecond), and the
 * hour's as it is: the hour bounds how many runs an installation can have, and over an hour a few
 * milliseconds do not matter.
 */
export const GITHUB_WRITE_LIMITS: readonly Window[] = [
  { max: 72, windowMs: 60_000 },
  { max: 500, windowMs: 3_600_000 },
];

/** Runs each task once the one before it has settled, in the order they were given. */
export function inTurn() {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = chain.then(task);
    chain = result.catch(() => undefined);
    return result;
  };
}

/** What every write of an installation goes through: GitHub counts the installation's writes, not a client's. */
export type WriteLimiter = {
  run<T>(write: () => Promise<T>): Promise<T>;
  /** A secondary-limit answer: no write of the installation starts for `ms`. */
  pause(ms: number): Promise<void>;
};

/**
 * Runs writes one at a time, and at most `max` in any `windowMs` for every window. A write counts from the
 * moment it finished, which is after GitHub received it, so no later write can land inside its window.
 * In one process; `createRedisWriteLimiter` shares the same limits across processes.
 */
export function createWriteLimiter(windows: readonly Window[], now = () => Date.now()): WriteLimiter {
  const longest = Math.max(...windows.map((w) => w.windowMs));
  const finished: number[] = [];
  let pausedUntil = 0;
  const turn = inTurn();

  const waitFor = (t: number): number => {
    let wait = 0;
    for (const w of windows) {
      const inWindow = finished.filter((at) => at > t - w.windowMs);
      const oldestThatMustAge = inWindow[inWindow.length - w.max];
      if (oldestThatMustAge !== undefined) wait = Math.max(wait, oldestThatMustAge + w.windowMs - t + 1);
    }
    return wait;
  };

  return {
    run<T>(write: () => Promise<T>): Promise<T> {
      return turn(async () => {
        for (;;) {
          const t = now();
          while (finished.length > 0 && (finished[0] ?? 0) <= t - longest) finished.shift();
          const wait = Math.max(waitFor(t), pausedUntil - t);
          if (wait === 0) break;
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        try {
          return await write();
        } finally {
          finished.push(now());
        }
      });
    },
    async pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}
