import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { globsOverlap } from "../../../src/domain/plan/globs-overlap.js";

// picomatch is the oracle: a well-kept matcher that shares no code with ours. `dot: true` because an
// owned `src/*` does own `src/.env`. One known difference, on purpose: for us a trailing `/**` also covers
// the folder's own path (picomatch says `a/**` matches `a` but `*/**` does not match `b`; the same for a
// run of trailing `/**`), which can only
// report more conflicts, never fewer.
const matches = (pattern: string, path: string) => {
  const folder = pattern.replace(/(\/\*\*)+$/, "");
  return (
    picomatch(pattern, { dot: true })(path) || (folder !== pattern && picomatch(folder, { dot: true })(path))
  );
};

describe("globsOverlap", () => {
  it.each([
    ["src/**", "src/x.ts", "src/x.ts"],
    ["src/**/*.ts", "src/a/b.ts", "src/a/b.ts"],
    ["**/*.test.ts", "test/**", "test/x.test.ts"],
    ["a/{b,c}/d", "a/c/*", "a/c/d"],
    ["src/[a-c].ts", "src/?.ts", "src/a.ts"],
    ["docs/", "docs/a.md", "docs/a.md"],
  ])("%s and %s overlap, for example on %s", (a, b, witness) => {
    expect(globsOverlap(a, b)).toBe(witness);
    expect(globsOverlap(b, a)).not.toBeNull();
  });

  it.each([
    ["src/*.ts", "src/a/b.ts"],
    ["src/*.ts", "src/*.js"],
    ["src/[ab].ts", "src/c.ts"],
    ["a*b", "*c"],
    ["src/a.ts", "src/b.ts"],
    ["lib/**", "src/**"],
  ])("%s and %s cannot name the same file", (a, b) => {
    expect(globsOverlap(a, b)).toBeNull();
    expect(globsOverlap(b, a)).toBeNull();
  });

  // Small alphabets make collisions likely, so both answers are exercised.
  const segment = fc.oneof(
    fc.constantFrom("**", "*", "a", "b", "a*", "*b", "?", "[ab]", "{a,b}", "a.ts", "*.ts"),
    fc.stringMatching(/^[ab]{1,2}$/),
  );
  const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
  const pick = (g: fc.GeneratorValue, options: string[]) => g(fc.constantFrom, ...options);

  /** A random path matched by `pattern`, so that candidates often match the other pattern too. */
  const instantiate = (g: fc.GeneratorValue, pattern: string): string =>
    pattern
      .split("/")
      .flatMap((seg) =>
        seg === "**"
          ? Array.from({ length: g(fc.integer, { min: 0, max: 2 }) }, () => pick(g, ["a", "b", "ab", "a.ts"]))
          : [
              seg
                .replaceAll("{a,b}", pick(g, ["a", "b"]))
                .replaceAll("[ab]", pick(g, ["a", "b"]))
                .replaceAll("?", pick(g, ["a", "b"]))
                .replaceAll("*", pick(g, ["", "a", "b", "ab", ".ts"])),
            ],
      )
      .filter((s) => s !== "")
      .join("/");

  it("finds an overlap whenever some path matches both patterns, and its example matches both", () => {
    let common = 0;
    fc.assert(
      fc.property(pattern, pattern, fc.gen(), (a, b, g) => {
        const witness = globsOverlap(a, b);
        if (witness !== null) {
          expect(matches(a, witness), `${witness} should match ${a}`).toBe(true);
          expect(matches(b, witness), `${witness} should match ${b}`).toBe(true);
        }
        const candidates = Array.from({ length: 20 }, () => instantiate(g, a));
        const shared = candidates.find((p) => p !== "" && matches(a, p) && matches(b, p));
        if (shared !== undefined) {
          common++;
          expect(witness, `${shared} matches ${a} and ${b}`).not.toBeNull();
        }
      }),
      { numRuns: 3000 },
    );
    // The property is only worth something if the "must overlap" side is exercised often.
    expect(common).toBeGreaterThan(100); // about 230 of 3000 when measured
  });
});
