import { Redis } from "ioredis";

/**
 * Fails at once, with the fix, when Redis does not answer: workers retry forever by design, which in a
 * test would look like a hang.
 */
export async function requireRedis(url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(
      `Redis does not answer at ${url} (${(error as Error).message}). Run the tests with \`bash scripts/test.sh\`, which starts it.`,
    );
  } finally {
    probe.disconnect();
  }
}
