/**
 * Coalesces a burst of updates into one write: the first update starts a short wait, later ones replace the
 * pending value, and the latest is written when the wait ends. Writes never overlap; `flush` writes now.
 */
export function coalesceWrites<T>(write: (value: T) => Promise<void>, waitMs: number) {
  let pending: { value: T } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let writes = 0;

  const drain = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    inFlight = inFlight.then(async () => {
      if (!pending) return;
      const { value } = pending;
      pending = null;
      writes++;
      await write(value);
    });
    return inFlight;
  };

  return {
    update(value: T): void {
      pending = { value };
      timer ??= setTimeout(() => void drain().catch(() => undefined), waitMs);
    },
    flush: drain,
    /** How many writes were made, for tests and benchmarks. */
    get writes() {
      return writes;
    },
  };
}
