import { createReplayTransport, type ReplayTransport } from "./replay-transport.js";
import { readTrace } from "./trace/file-trace-sink.js";

/**
 * The transport that answers from the trace at `path`, read and checked first: an entry point loads it
 * before it makes anything (a run folder, a branch), so a trace that is missing or damaged leaves nothing.
 */
export async function loadReplay(
  path: string,
  knownSecrets: readonly string[] = [],
): Promise<ReplayTransport> {
  return createReplayTransport(await readTrace(path), { source: path, knownSecrets });
}
