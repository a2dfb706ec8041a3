import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RepoConfigInput, RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { createAnthropicTransport } from "../../src/model/anthropic-transport.js";
import { createMemoryLedger } from "../../src/model/ledger-store.js";
import { createModelClient } from "../../src/model/model-client.js";
import { createFileTraceSink } from "../../src/model/trace/file-trace-sink.js";
import type { MessagesTransport } from "../../src/model/types.js";
import type { FakeAnthropic } from "./fake-anthropic/server.js";

/** The real model client over the real SDK, pointed at the fake Messages API, with a trace in a temp folder. */
export function modelClientFor(
  fake: FakeAnthropic,
  options: {
    config?: RepoConfigInput;
    transport?: MessagesTransport;
    secrets?: string[];
    runId?: string;
  } = {},
) {
  const config = RepoConfigSchema.parse(options.config ?? {});
  const tracePath = join(mkdtempSync(join(tmpdir(), "swarm-trace-")), "trace.jsonl");
  const transport =
    options.transport ??
    createAnthropicTransport({ apiKey: fake.apiKey, baseURL: fake.url, backoff: { initialMs: 1, maxMs: 5 } });
  const ledger = createMemoryLedger(config.prices);
  const client = createModelClient({
    runId: options.runId ?? "run-1",
    transport,
    config,
    ledger,
    trace: createFileTraceSink(tracePath, options.secrets ?? [fake.apiKey]),
  });
  return { client, config, ledger, tracePath };
}
