import type { PlanEstimate, Range } from "./run-actuals.js";

/** `$0.40–$1.90`: cents below ten dollars, whole dollars above. */
export function usdRange(r: Range): string {
  const usd = (x: number) => (x < 10 ? `$${x.toFixed(2)}` : `$${Math.round(x)}`);
  return usd(r.low) === usd(r.high) ? usd(r.low) : `${usd(r.low)}–${usd(r.high)}`;
}

/** `1.2M`, `450K`, `900`: tokens as a person reads them. */
export function tokenCount(x: number): string {
  if (x >= 1_000_000) return `${(x / 1_000_000).toFixed(1)}M`;
  if (x >= 10_000) return `${Math.round(x / 1000)}K`;
  if (x >= 1000) return `${(x / 1000).toFixed(1)}K`;
  return `${Math.round(x)}`;
}

export function tokenRange(r: Range): string {
  const [low, high] = [tokenCount(r.low), tokenCount(r.high)];
  return low === high ? low : `${low}–${high}`;
}

/** `4–12 min`, `40 s–2 min`, `1.5–3 h`. */
export function durationOf(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function durationRange(r: Range): string {
  const [low, high] = [durationOf(r.low), durationOf(r.high)];
  if (low === high) return low;
  const unit = (s: string) => s.replace(/^[\d.]+ /, "");
  return unit(low) === unit(high) ? `${low.replace(/ .*$/, "")}–${high}` : `${low}–${high}`;
}

/** The estimate on one line: cost, tokens, time, and what it rests on. */
export function describeEstimate(e: PlanEstimate): string {
  return `${usdRange(e.usd)} · ${tokenRange(e.tokens)} tokens · ${durationRange(e.seconds)} · based on ${e.basis}`;
}

/** Tokens by role and model, one phrase each: `coder (claude-sonnet-5-5) 300K–1.2M`. */
export function describeRoles(e: PlanEstimate): string {
  return Object.entries(e.tokens.byRole)
    .map(([role, r]) => `${role} (${r.model}) ${tokenRange(r)}`)
    .join(" · ");
}
