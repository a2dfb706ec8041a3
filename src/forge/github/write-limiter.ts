export type Window = { max: number; windowMs: number };

/** GitHub's secondary limits on content-creating requests: 80 a minute and 500 an hour. */
export const GITHUB_WRITE_LIMITS: readonly Window[] = [
  { max: 80, windowMs: 60_000 },
  { max: 500, windowMs: 3_600_000 },
];

/** At most `max` takes in any `windowMs`, for every window: a take that would exceed one waits. */
export function createWriteLimiter(windows: readonly Window[], now = () => Date.now()) {
  const longest = Math.max(...windows.map((w) => w.windowMs));
  const taken: number[] = [];
  let chain = Promise.resolve();
  const waitFor = (t: number): number => {
    let wait = 0;
    for (const w of windows) {
      const inWindow = taken.filter((at) => at > t - w.windowMs);
      if (inWindow.length >= w.max)
        wait = Math.max(wait, (inWindow[inWindow.length - w.max] ?? t) + w.windowMs - t + 1);
    }
    return wait;
  };
  return {
    take(): Promise<void> {
      // Serialised, so concurrent writers share the windows fairly and never overshoot them.
      chain = chain.then(async () => {
        for (;;) {
          const t = now();
          while (taken.length > 0 && (taken[0] ?? 0) <= t - longest) taken.shift();
          const wait = waitFor(t);
          if (wait === 0) {
            taken.push(t);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      });
      return chain;
    },
  };
}
