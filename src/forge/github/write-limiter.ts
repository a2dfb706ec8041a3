export type Window = { max: number; windowMs: number };

/** GitHub's secondary limits on content-creating requests: 80 a minute and 500 an hour. */
export const GITHUB_WRITE_LIMITS: readonly Window[] = [
  { max: 80, windowMs: 60_000 },
  { max: 500, windowMs: 3_600_000 },
];

/**
 * Runs writes one at a time, and at most `max` in any `windowMs` for every window. A write counts from the
 * moment it finished, which is after GitHub received it, so no later write can land inside its window.
 */
export function createWriteLimiter(windows: readonly Window[], now = () => Date.now()) {
  const longest = Math.max(...windows.map((w) => w.windowMs));
  const finished: number[] = [];
  let chain: Promise<unknown> = Promise.resolve();

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
      const result = chain.then(async () => {
        for (;;) {
          const t = now();
          while (finished.length > 0 && (finished[0] ?? 0) <= t - longest) finished.shift();
          const wait = waitFor(t);
          if (wait === 0) break;
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        try {
          return await write();
        } finally {
          finished.push(now());
        }
      });
      chain = result.catch(() => undefined);
      return result;
    },
  };
}

export type WriteLimiter = ReturnType<typeof createWriteLimiter>;
