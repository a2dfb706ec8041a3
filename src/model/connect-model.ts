import { join } from "node:path";
import type { RepoConfig } from "../domain/config/repo-config.js";
import { secretsFromEnv } from "../domain/security/redact-secrets.js";
import { createAnthropicTransport } from "./anthropic-transport.js";
import { createMemoryLedger, type LedgerStore } from "./ledger-store.js";
import { loadReplay } from "./load-replay.js";
import { createModelClient, type ModelClient } from "./model-client.js";
import { readModelEnv } from "./read-model-env.js";
import type { ReplayTransport } from "./replay-transport.js";
import { createFileTraceSink } from "./trace/file-trace-sink.js";
import type { TraceLine, TraceSink } from "./trace/trace-line.js";

export type ConnectModelOptions = {
  env: Readonly<Record<string, string | undefined>>;
  config: Pick<RepoConfig, "models" | "prices" | "limits"> & Partial<Pick<RepoConfig, "agents" | "cache">>;
  runId: string;
  /** The run's folder; its trace.jsonl receives one line per call. */
  runDir: string;
  /** Answer from this recorded trace instead of the API (no key needed). */
  replayTrace?: string;
  /** Or from a trace already loaded (loadReplay), so its problems are said before anything is made. */
  replay?: ReplayTransport;
  ledger?: LedgerStore;
  /** Told of every call as it is traced (for metrics: tokens and cost by role and model). */
  onCall?: (line: TraceLine) => void;
};

/** The model client an entry point uses: the API from the environment, or a replayed trace. */
export async function connectModel(options: ConnectModelOptions): Promise<ModelClient> {
  const transport =
    options.replay ??
    (options.replayTrace
      ? await loadReplay(options.replayTrace, secretsFromEnv(options.env))
      : (() => {
          const env = readModelEnv(options.env);
          return createAnthropicTransport({
            apiKey: env.apiKey,
            timeoutMs: env.timeoutMs,
            maxAttempts: env.maxAttempts,
            ...(env.baseURL ? { baseURL: env.baseURL } : {}),
          });
        })());
  return createModelClient({
    runId: options.runId,
    transport,
    config: options.config,
    ledger: options.ledger ?? createMemoryLedger(options.config.prices),
    trace: observedSink(
      createFileTraceSink(join(options.runDir, "trace.jsonl"), secretsFromEnv(options.env)),
      options.onCall,
    ),
  });
}

function observedSink(sink: TraceSink, onCall?: (line: TraceLine) => void): TraceSink {
  if (!onCall) return sink;
  return {
    write(line) {
      onCall(line);
      return sink.write(line);
    },
  };
}
