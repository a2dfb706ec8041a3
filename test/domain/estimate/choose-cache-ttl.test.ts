import { describe, expect, it } from "vitest";
import { chooseCacheTtl } from "../../../src/domain/estimate/choose-cache-ttl.js";
import type { RunActuals } from "../../../src/domain/estimate/run-actuals.js";

const run = (checkSeconds?: number): RunActuals => ({
  v: 1,
  runId: "r",
  status: "green",
  finishedAt: "2026-12-01T00:00:00Z",
  seconds: 600,
  planSeconds: 30,
  reviews: 1,
  nodes: [],
  roles: {} as RunActuals["roles"],
  byModel: {},
  usd: 1,
  tokens: 1000,
  ...(checkSeconds !== undefined ? { checkSeconds } : {}),
});

describe("the cache lifetime of a run's coders", () => {
  it("is what the config says, whatever the earlier runs took", () => {
    expect(chooseCacheTtl("5m", [run(900), run(900)])).toBe("5m");
    expect(chooseCacheTtl("1h", [run(10)])).toBe("1h");
  });

  it("with auto: an hour when the checks took longer than four minutes in most earlier runs", () => {
    expect(chooseCacheTtl("auto", [run(420)])).toBe("1h");
    expect(chooseCacheTtl("auto", [run(30), run(420), run(500)])).toBe("1h");
    expect(chooseCacheTtl("auto", [run(30), run(40), run(500)])).toBe("5m");
    expect(chooseCacheTtl("auto", [run(240)])).toBe("5m");
    // One slow run of two is not most of them.
    expect(chooseCacheTtl("auto", [run(30), run(420)])).toBe("5m");
    expect(chooseCacheTtl("auto", [run(300), run(420)])).toBe("1h");
  });

  it("with auto and nothing timed (a first run, or runs from before checks were timed): five minutes", () => {
    expect(chooseCacheTtl("auto", [])).toBe("5m");
    expect(chooseCacheTtl("auto", [run(), run()])).toBe("5m");
    expect(chooseCacheTtl("auto", [run(), run(), run(600)])).toBe("1h");
  });
});
