import { EXIT, failCli } from "./cli-failure.js";
import { startServer } from "./server.js";

/** How long SIGTERM waits for the server to close its connections and queues before it stops regardless. */
const STOP_MS = 5000;

/**
 * `swarm server` as a command: a bad environment exits 2 with what to set; SIGTERM or SIGINT closes it (exit 0),
 * or, if that takes longer than a few seconds (Redis does not answer), stops regardless (exit 1).
 */
export async function runServer(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(env, say);
  } catch (error) {
    failCli(error, "swarm server");
    return;
  }
  process.stdout.write(`swarm server: listening on ${server.url}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      server.stop().then(
        () => true,
        () => false,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), STOP_MS);
      }),
    ]);
    clearTimeout(timer);
    if (closed) process.exit(EXIT.ok);
    say("swarm server: stopping without closing the queues cleanly, since Redis does not answer");
    server.abandon();
    process.exit(EXIT.failed);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}
