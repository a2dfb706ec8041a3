/** Sent with a create so that Octokit's retry plugin does not send it again by itself. */
export const NO_RETRY = { request: { retries: 0 } } as const;

const status = (error: unknown): number | undefined => {
  const s = (error as { status?: unknown }).status;
  return typeof s === "number" ? s : undefined;
};

/** A failure after which the write may still have been made: a 5xx, or no answer at all. */
function maybeApplied(error: unknown): boolean {
  const s = status(error);
  return s === undefined || s >= 500;
}

/** A rate limit's refusal (the write was not made): worth sending again after a wait. */
function refused(error: unknown): boolean {
  const s = status(error);
  return s === 429 || (s === 403 && /rate limit/i.test(String((error as { message?: unknown }).message)));
}

/**
 * A create whose answer can be lost (a 502 from a gateway, a dropped connection, after GitHub made it).
 * Octokit's retry would send it again and make a second one, so it is sent with NO_RETRY; after a failure
 * that may have been applied, `find` looks for what it made before it is sent again. A 422 for which
 * `exists` holds ("already exists") is the earlier attempt's success: `find` returns it.
 */
export async function createOnce<T>(
  create: () => Promise<T>,
  find: () => Promise<T | null>,
  options: { exists?: (error: unknown) => boolean; attempts?: number; waitMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      if (status(error) === 422 && options.exists?.(error)) {
        const found = await find();
        if (found !== null) return found;
      }
      const applied = maybeApplied(error);
      if ((!applied && !refused(error)) || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, (options.waitMs ?? 500) * attempt));
      if (!applied) continue;
      const found = await find();
      if (found !== null) return found;
    }
  }
}

/** A 422 whose message says the thing exists already. */
export const alreadyExists = (error: unknown): boolean =>
  /already exists|duplicate/i.test(String((error as { message?: unknown }).message ?? ""));
