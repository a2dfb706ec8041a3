import { describe, expect, it } from "vitest";
import { infrastructureSign } from "../../../src/domain/review/infrastructure-sign.js";

const failed = (fields: Partial<Parameters<typeof infrastructureSign>[0]> = {}) => ({
  conclusion: "failure",
  title: "test failed (exit 1)",
  summary: null,
  annotations: [],
  logTail: null,
  ...fields,
});

describe("infrastructureSign", () => {
  it.each([
    [{ conclusion: "timed_out" }, "the job hit its time limit"],
    [{ conclusion: "cancelled" }, "the job was cancelled"],
    [{ conclusion: "startup_failure" }, "the workflow failed to start"],
    [
      {
        annotations: [{ message: "The hosted runner: GitHub Actions 3 lost communication with the server." }],
      },
      "the runner lost communication with GitHub",
    ],
    [{ logTail: "##[error]The operation was canceled." }, "the runner cancelled the job"],
    [{ logTail: "npm ERR! code ECONNRESET\nnpm ERR! network aborted" }, "a network error"],
    [{ summary: "fatal: unable to access: Could not resolve host: github.com" }, "a network error"],
    [{ logTail: "error: 503 Service Unavailable from the registry" }, "a server it depends on was down"],
    [{ logTail: "write /tmp/x: No space left on device" }, "the runner ran out of disk"],
  ])("sees infrastructure in %j", (fields, why) => {
    expect(infrastructureSign(failed(fields))).toBe(why);
  });

  it.each([
    [{}],
    [{ annotations: [{ message: "mean([2, 4]) returned 2, expected 3" }] }],
    [{ logTail: "AssertionError: expected 'network' to equal 'local'\n 1 failed" }],
    // Only the end of the log counts: an early retry that recovered says nothing.
    [{ logTail: `ECONNRESET, retrying\n${"ok\n".repeat(80)}1 test failed` }],
  ])("sees none in %j", (fields) => {
    expect(infrastructureSign(failed(fields))).toBeNull();
  });
});
