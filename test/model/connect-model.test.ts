import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { ConfigError } from "../../src/domain/errors.js";
import { connectModel } from "../../src/model/connect-model.js";
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({ model: () => reply.text("hello") });
});
afterAll(() => fake.stop());

const config = RepoConfigSchema.parse({});
const ask = { max_tokens: 50, messages: [{ role: "user" as const, content: "hi" }] };

describe("connectModel", () => {
  it("reaches the server named by ANTHROPIC_BASE_URL and traces into the run folder, without the key", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "swarm-run-"));
    const env = {
      ANTHROPIC_API_KEY: fake.apiKey,
      ANTHROPIC_BASE_URL: fake.url,
      GITHUB_TOKEN: "ghs_notarealtokenbutlongenough00",
    };
    const client = await connectModel({ env, config, runId: "r1", runDir });
    await client.call(
      { role: "planner" },
      { ...ask, messages: [{ role: "user", content: `token ${env.GITHUB_TOKEN}` }] },
    );
    const trace = readFileSync(join(runDir, "trace.jsonl"), "utf8");
    expect(trace).toContain('"role":"planner"');
    expect(trace).not.toContain(fake.apiKey);
    expect(trace).not.toContain(env.GITHUB_TOKEN);
  });

  it("replays a trace without a key and without the server", async () => {
    const recordDir = mkdtempSync(join(tmpdir(), "swarm-run-"));
    const live = await connectModel({
      env: { ANTHROPIC_API_KEY: fake.apiKey, ANTHROPIC_BASE_URL: fake.url },
      config,
      runId: "r2",
      runDir: recordDir,
    });
    const original = await live.call({ role: "planner" }, ask);
    const before = fake.requests.length;
    const replay = await connectModel({
      env: {},
      config,
      runId: "r2",
      runDir: mkdtempSync(join(tmpdir(), "swarm-run-")),
      replayTrace: join(recordDir, "trace.jsonl"),
    });
    expect((await replay.call({ role: "planner" }, ask)).message).toEqual(original.message);
    expect(fake.requests.length).toBe(before);
  });

  it("says which variable is missing when there is no key and no trace", async () => {
    await expect(connectModel({ env: {}, config, runId: "r3", runDir: tmpdir() })).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});
