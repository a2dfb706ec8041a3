import { EXIT, failCli } from "./cli-failure.js";
import { startWorkers } from "./worker.js";

/** How long a draining worker waits for a Redis that does not answer before it leaves the jobs in hand. */
const DRAIN_WITHOUT_REDIS_MS = 5000;

/**
 * `swarm worker` as a command: a bad environment exits 2 with what to set; SIGTERM or SIGINT drains (the jobs
 * in hand finish first, exit 0). If Redis is unreachable for a few seconds while it drains, or on a second
 * signal, it stops at once (exit 1), leaving the jobs in hand to BullMQ's stalled-job recovery.
 */
export async function runWorker(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  try {
    workers = await startWorkers(env, say);
  } catch (error) {
    failCli(error, "swarm worker");
    return;
  }
  process.stdout.write("swarm worker: serving the plan, command, node, integrate and review queues\n");
  let draining = false;
  const leave = (why: string) => {
    say(`swarm worker: ${why}; the jobs in hand are left for another worker (BullMQ's stalled-job check)`);
    workers.abandon();
    process.exit(EXIT.failed);
  };
  const drain = async () => {
    if (draining) return leave("stopping now, as asked twice");
    draining = true;
    process.stdout.write("swarm worker: draining (jobs in hand finish first)\n");
    const outcome = await Promise.race([
      workers.stop().then(
        () => "drained" as const,
        (error: unknown) => `could not drain (${String((error as Error)?.message ?? error).split("\n")[0]})`,
      ),
      workers.redis
        .unreachableFor(DRAIN_WITHOUT_REDIS_MS)
        .then(() => "stopping without draining, since Redis does not answer"),
    ]);
    if (outcome === "drained") process.exit(EXIT.ok);
    leave(outcome);
  };
  process.on("SIGTERM", () => void drain());
  process.on("SIGINT", () => void drain());
}
