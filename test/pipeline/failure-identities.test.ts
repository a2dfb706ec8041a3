import { describe, expect, it } from "vitest";
import type { CheckResult } from "../../src/pipeline/forge.js";
import { failureIdentities } from "../../src/pipeline/review/failure-identities.js";

const check = (over: Partial<CheckResult>): CheckResult => ({
  id: 1,
  name: "test",
  status: "completed",
  conclusion: "failure",
  title: "test failed (exit 1)",
  summary: null,
  annotations: [],
  logTail: null,
  ...over,
});
const at = (line: number, message: string, title?: string) => ({
  path: "test/stats.test.ts",
  startLine: line,
  endLine: line,
  level: "failure" as const,
  message,
  ...(title ? { title } : {}),
});

describe("a failure's identity across commits", () => {
  it("is the same when only line numbers, timings and temporary paths moved", () => {
    const before = failureIdentities([
      check({ annotations: [at(6, "mean returned 2, expected 3 (12 ms)", "mean")] }),
    ]);
    const after = failureIdentities([
      check({ id: 9, annotations: [at(9, "mean returned 2, expected 3 (40 ms)", "mean")] }),
    ]);
    expect(after.map((f) => f.id)).toEqual(before.map((f) => f.id));
    expect(after[0]?.text).toBe("test: `test/stats.test.ts` mean: mean returned 2, expected 3 (40 ms)");
  });

  it("differs when the message, the test or the check differs", () => {
    const [a] = failureIdentities([check({ annotations: [at(6, "mean returned 2, expected 3")] })]);
    const [b] = failureIdentities([check({ annotations: [at(6, "mean returned 4, expected 3")] })]);
    const [c] = failureIdentities([
      check({ name: "lint", annotations: [at(6, "mean returned 2, expected 3")] }),
    ]);
    const [d] = failureIdentities([
      check({ annotations: [at(6, "mean returned 2, expected 3", "other test")] }),
    ]);
    expect(new Set([a?.id, b?.id, c?.id, d?.id]).size).toBe(4);
  });

  it("names a check without annotations by the last line of its log", () => {
    const ids = failureIdentities([
      check({ logTail: "building\nerror: cannot find module './x' in 3.2 s\n" }),
    ]);
    expect(ids).toHaveLength(1);
    expect(ids[0]?.text).toBe("test: error: cannot find module './x' in 3.2 s");
    expect(failureIdentities([check({ logTail: "error: cannot find module './x' in 1.0 s" })])[0]?.id).toBe(
      ids[0]?.id,
    );
  });
});
