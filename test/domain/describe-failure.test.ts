import { describe, expect, it } from "vitest";
import { describeFailure } from "../../src/domain/describe-failure.js";
import {
  BudgetExceededError,
  ConfigError,
  decisionFor,
  IllegalTransitionError,
  TransientError,
} from "../../src/domain/errors.js";

describe("errors", () => {
  it("carry their decision", () => {
    const init = { problem: "p.", fix: "f." };
    expect(decisionFor(new TransientError(init))).toBe("retry");
    expect(decisionFor(new IllegalTransitionError(init))).toBe("fail-node");
    expect(decisionFor(new ConfigError(init))).toBe("tell-user");
    expect(decisionFor(new BudgetExceededError(init))).toBe("tell-user");
    expect(decisionFor(new TypeError("bug"))).toBe("fail-node");
  });

  it("say the problem and the fix in their message", () => {
    const error = new ConfigError({ problem: "limits.maxNodes is -3.", fix: "Use a number above 0." });
    expect(error.message).toBe("limits.maxNodes is -3. Use a number above 0.");
    expect(error.name).toBe("ConfigError");
    expect(error.code).toBe("invalid-config");
  });
});

describe("describeFailure", () => {
  it("turns a swarm error into Markdown with its details and fix", () => {
    const error = new ConfigError({
      problem: ".github/swarm.yml has 2 problems.",
      fix: "Fix them and add the label again.",
      details: ["`label` must be text", "unknown key `colour`"],
    });
    expect(describeFailure(error)).toBe(
      [
        "**swarm: .github/swarm.yml has 2 problems.**",
        "",
        "- `label` must be text",
        "- unknown key `colour`",
        "",
        "**Fix:** Fix them and add the label again.",
      ].join("\n"),
    );
  });

  it("never shows the message of an unexpected error, which could hold a secret", () => {
    const text = describeFailure(new Error("request failed: token ghs_abc123 rejected"));
    expect(text).not.toContain("ghs_abc123");
    expect(text).toBe(
      "**swarm stopped on an internal error** (Error).\n\n**Fix:** comment `/swarm retry` to try again. If it happens again, report it with the run's logs.",
    );
  });
});
