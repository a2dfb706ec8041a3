import { describe, expect, it } from "vitest";
import { checkBudget, EMPTY_LEDGER, recordUsage } from "../../../src/domain/budget/budget.js";
import { costOf } from "../../../src/domain/budget/cost-of.js";
import { NO_USAGE, type Usage } from "../../../src/domain/budget/usage.js";
import { RepoConfigSchema } from "../../../src/domain/config/repo-config.js";
import { BudgetExceededError, UnknownPriceError } from "../../../src/domain/errors.js";

const config = RepoConfigSchema.parse({ limits: { maxTokensPerRun: 3_000_000, maxUsdPerRun: 10 } });
const usage = (u: Partial<Usage>): Usage => ({ ...NO_USAGE, ...u });

describe("costOf", () => {
  it("prices each kind of token separately", () => {
    const u = usage({
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheReadTokens: 2_000_000,
      cacheWriteTokens: 400_000,
    });
    // Sonnet 5.5: $2 in, $10 out, $0.10 cache read (since 2026-10-07), $2.50 cache write per million.
    expect(costOf("claude-sonnet-5-5", u, config.prices)).toBeCloseTo(2 + 1 + 0.2 + 1, 10);
  });

  it("prices a Haiku 5.5 call whose prompt passes 100K tokens at the long-prompt rates, on every token", () => {
    const call = (inputTokens: number, cacheReadTokens: number) =>
      costOf(
        "claude-haiku-5-5",
        usage({ inputTokens, cacheReadTokens, outputTokens: 10_000 }),
        config.prices,
      );
    // $0.10 in, $0.50 out, $0.01 cache read per million up to 100K prompt tokens...
    expect(call(40_000, 60_000)).toBeCloseTo((40_000 * 0.1 + 10_000 * 0.5 + 60_000 * 0.01) / 1e6, 12);
    // ... and $0.50, $2.50, $0.05 once the prompt (cache reads count) is longer.
    expect(call(40_000, 60_001)).toBeCloseTo((40_000 * 0.5 + 10_000 * 2.5 + 60_001 * 0.05) / 1e6, 12);
  });

  it("refuses a model without a price, saying how to add one", () => {
    expect(() => costOf("gpt-x", NO_USAGE, config.prices)).toThrow(UnknownPriceError);
    expect(() => costOf("gpt-x", NO_USAGE, config.prices)).toThrow(
      'Add prices."gpt-x" (input, output, cacheRead, cacheWrite in USD per million tokens) to .github/swarm.yml.',
    );
  });
});

describe("budget", () => {
  it("adds usage by model and keeps totals", () => {
    let ledger = recordUsage(
      EMPTY_LEDGER,
      "claude-opus-5",
      usage({ inputTokens: 1000, outputTokens: 200 }),
      config.prices,
    );
    ledger = recordUsage(ledger, "claude-opus-5", usage({ cacheReadTokens: 5000 }), config.prices);
    ledger = recordUsage(ledger, "claude-haiku-4-5", usage({ cacheWriteTokens: 100 }), config.prices, "api");
    expect(ledger.byModel["claude-opus-5"]).toEqual(
      usage({ inputTokens: 1000, outputTokens: 200, cacheReadTokens: 5000 }),
    );
    expect(ledger.tokens).toBe(6300);
    expect(ledger.byNode.api).toEqual({ tokens: 100, usd: (100 * 1.25) / 1e6 });
    expect(ledger.byNode["(run)"]?.tokens).toBe(6200);
    expect(ledger.usd).toBeCloseTo((1000 * 5 + 200 * 25 + 5000 * 0.5 + 100 * 1.25) / 1e6, 12);
  });

  it("says yes while the next call fits", () => {
    const check = checkBudget(
      EMPTY_LEDGER,
      "claude-sonnet-5-5",
      usage({ inputTokens: 100_000 }),
      config.prices,
      config.limits,
    );
    expect(check).toEqual({ ok: true, tokens: 100_000, usd: 0.2 });
  });

  it("says no when the next call would pass the token limit", () => {
    const spent = recordUsage(
      EMPTY_LEDGER,
      "claude-haiku-4-5",
      usage({ cacheReadTokens: 2_900_000 }),
      config.prices,
    );
    const check = checkBudget(
      spent,
      "claude-haiku-4-5",
      usage({ inputTokens: 200_000 }),
      config.prices,
      config.limits,
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.limit).toBe("tokens");
    expect(check.error).toBeInstanceOf(BudgetExceededError);
    expect(check.error.message).toBe(
      "The run has used 2,900,000 and its next model call would pass limits.maxTokensPerRun (3,000,000 tokens). Raise limits.maxTokensPerRun in .github/swarm.yml, or narrow the spec, then comment `/swarm retry`.",
    );
  });

  it("says no when the next call would pass the USD limit", () => {
    const spent = recordUsage(EMPTY_LEDGER, "claude-opus-5", usage({ outputTokens: 390_000 }), config.prices); // $9.75
    const check = checkBudget(
      spent,
      "claude-opus-5",
      usage({ outputTokens: 20_000 }),
      config.prices,
      config.limits,
    );
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.limit).toBe("usd");
    expect(check.projected).toBeCloseTo(10.25, 10);
    expect(check.error.problem).toBe(
      "The run has used $9.75 and its next model call would pass limits.maxUsdPerRun ($10.00).",
    );
  });

  it("allows a call that lands exactly on the limit", () => {
    const spent = recordUsage(EMPTY_LEDGER, "claude-opus-5", usage({ outputTokens: 380_000 }), config.prices); // $9.50
    expect(
      checkBudget(spent, "claude-opus-5", usage({ outputTokens: 20_000 }), config.prices, config.limits).ok,
    ).toBe(true);
  });
});
