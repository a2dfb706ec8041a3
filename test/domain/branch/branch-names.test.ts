import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { integrationBranch, nodeBranch } from "../../../src/domain/branch/branch-names.js";
import { isValidBranchName } from "../../../src/domain/branch/is-valid-branch-name.js";
import { slugify } from "../../../src/domain/branch/slugify.js";

/** Real git's verdict on many names in one process: `git check-ref-format --stdin` is not a thing, so batch. */
function gitAccepts(names: string[]): boolean[] {
  const script =
    'for n in "$@"; do git check-ref-format --branch "$n" >/dev/null 2>&1 && echo 1 || echo 0; done';
  const out = execFileSync("bash", ["-c", script, "bash", ...names], { encoding: "utf8", cwd: tmpdir() });
  return out
    .trim()
    .split("\n")
    .map((line) => line === "1");
}

const titles = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(..."!?*[]~^:\\ ./@{}-_#…—"), maxLength: 40 }),
  fc.constantFrom(
    "",
    "...",
    "/",
    "@",
    "Ünïcödé façade",
    "修复登录问题",
    "a".repeat(500),
    "HEAD",
    "-rf",
    "x.lock",
  ),
);

describe("branch names", () => {
  it("names node and integration branches after the issue", () => {
    expect(nodeBranch(12, "Add dark mode!", "api")).toBe("swarm/12-add-dark-mode/api");
    expect(integrationBranch(12, "Add dark mode!")).toBe("swarm/12-add-dark-mode/integration");
  });

  it("slugs unicode, punctuation-only and very long titles", () => {
    expect(slugify("Crème brûlée: ÜBER façade")).toBe("creme-brulee-uber-facade");
    expect(slugify("?!?... ###")).toBe("spec");
    expect(slugify("修复登录问题")).toBe("spec");
    expect(slugify("Make the parser handle very long inputs without running out of memory")).toBe(
      "make-the-parser-handle-very-long-inputs",
    );
    expect(slugify("x".repeat(100))).toBe("x".repeat(40));
  });

  it("always produces names that git accepts, for any title", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 10 ** 9 }), titles), { minLength: 50, maxLength: 50 }),
        (cases) => {
          const names = cases.flatMap(([issue, title]) => [
            nodeBranch(issue, title, "api-v2"),
            integrationBranch(issue, title),
          ]);
          expect(gitAccepts(names)).toEqual(names.map(() => true));
          for (const name of names) expect(name.length).toBeLessThan(80);
        },
      ),
      { numRuns: 8 },
    );
  });

  it("refuses issue numbers that are not positive integers", () => {
    expect(() => nodeBranch(0, "x", "a")).toThrow("issue number must be >= 1, got 0");
    expect(() => nodeBranch(1.5, "x", "a")).toThrow(RangeError);
  });
});

describe("isValidBranchName", () => {
  it("agrees with git check-ref-format --branch", () => {
    const names = fc.sample(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(..."ab/.-@{}~^:?*[\\ \u0001\u007f"), maxLength: 12 }),
        fc.string({ unit: "grapheme", maxLength: 8 }),
      ),
      { numRuns: 400, seed: 7 },
    );
    const fixed = [
      "main",
      "feature/x",
      "a..b",
      "a/.b",
      "a.lock",
      "a/b.lock/c",
      "a@{b",
      "-x",
      "a/",
      "/a",
      "a//b",
      "a.",
    ];
    // "@" alone is left out: swarm refuses it on purpose (it is git's shorthand for HEAD), while git 2.39
    // accepts it as a branch name; the next test pins that choice.
    const all = [...fixed, ...names].filter((name) => name !== "@");
    const verdicts = gitAccepts(all);
    const disagreements = all.filter((name, i) => isValidBranchName(name) !== verdicts[i]);
    expect(disagreements).toEqual([]);
  });

  it("refuses a branch called @, which git reads as HEAD", () => {
    expect(isValidBranchName("@")).toBe(false);
  });
});

describe("git refs", () => {
  const repo = mkdtempSync(join(tmpdir(), "swarm-refs-"));
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("holds node branches and the integration branch of a run side by side", () => {
    const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "init");
    for (const branch of [
      nodeBranch(7, "Dark mode", "api"),
      nodeBranch(7, "Dark mode", "ui"),
      integrationBranch(7, "Dark mode"),
    ]) {
      expect(git("branch", branch).status, branch).toBe(0);
    }
    // What the design first proposed, and why it is not used: git cannot hold both.
    expect(git("branch", "swarm/7-dark-mode").stderr).toContain("cannot lock ref");
  });
});
