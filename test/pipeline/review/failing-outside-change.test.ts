import { describe, expect, it } from "vitest";
import { failingOutsideChange, filesOfDiff } from "../../../src/pipeline/review/failing-outside-change.js";

const FILES: Record<string, string> = {
  "src/stats.js":
    'import { add } from "./core.js";\nexport const mean = (xs) => xs.reduce(add, 0) / xs.length;\n',
  "src/core.js": "export const add = (a, b) => a + b;\n",
  "src/clock.js": "export const now = () => Date.now();\n",
  "test/stats.test.mjs": 'import { mean } from "../src/stats.js";\n',
  "test/helpers.mjs": 'export * from "../src/core.js";\n',
  "test/uses-helpers.test.mjs": 'import { add } from "./helpers.mjs";\n',
  "test/clock.test.mjs": 'import { now } from "../src/clock.js";\n',
  "test/weird.test.go": "package weird\n",
};
const head = {
  files: new Set(Object.keys(FILES)),
  read: async (p: string) => FILES[p] ?? null,
};
const failingIn = (...paths: string[]) => ({
  annotations: paths.map((path) => ({
    path,
    startLine: 1,
    endLine: 1,
    level: "failure" as const,
    message: "x",
  })),
});

describe("failingOutsideChange", () => {
  it("says so for a test that reaches nothing the change touched", async () => {
    expect(
      await failingOutsideChange(failingIn("test/clock.test.mjs"), new Set(["src/stats.js"]), head),
    ).toBe("it fails in `test/clock.test.mjs`, which this change does not touch, nor anything it imports");
  });

  it("does not for a test that imports a changed file, directly or through another file", async () => {
    expect(
      await failingOutsideChange(failingIn("test/stats.test.mjs"), new Set(["src/stats.js"]), head),
    ).toBeNull();
    expect(
      await failingOutsideChange(failingIn("test/stats.test.mjs"), new Set(["src/core.js"]), head),
    ).toBeNull();
    expect(
      await failingOutsideChange(failingIn("test/uses-helpers.test.mjs"), new Set(["src/core.js"]), head),
    ).toBeNull();
  });

  it("does not when the failing file is itself changed, when one of several reaches the change, or none is named", async () => {
    const changed = new Set(["test/clock.test.mjs", "src/stats.js"]);
    expect(await failingOutsideChange(failingIn("test/clock.test.mjs"), changed, head)).toBeNull();
    expect(
      await failingOutsideChange(
        failingIn("test/clock.test.mjs", "test/stats.test.mjs"),
        new Set(["src/stats.js"]),
        head,
      ),
    ).toBeNull();
    expect(await failingOutsideChange(failingIn(), new Set(["src/stats.js"]), head)).toBeNull();
    // `.github` (a runner's error) and files that are not at the head name no test.
    expect(
      await failingOutsideChange(failingIn(".github", "gone.mjs"), new Set(["src/stats.js"]), head),
    ).toBeNull();
  });

  it("does not follow what it cannot parse: a file in a language it does not read is not judged", async () => {
    expect(
      await failingOutsideChange(failingIn("test/weird.test.go"), new Set(["src/stats.js"]), head),
    ).toBeNull();
  });
});

describe("filesOfDiff", () => {
  it("lists both sides of every file in a unified diff", () => {
    const diff = [
      "diff --git a/src/a.js b/src/a.js",
      "--- a/src/a.js",
      "+++ b/src/a.js",
      "@@ -1 +1 @@",
      "-x",
      "+y",
      "diff --git a/old.js b/new.js",
      "similarity index 90%",
    ].join("\n");
    expect([...filesOfDiff(diff)].sort()).toEqual(["new.js", "old.js", "src/a.js"]);
  });
});
