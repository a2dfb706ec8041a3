import { describe, expect, it } from "vitest";
import { commentableLines } from "../../../src/domain/review/diff-lines.js";
import { assignFindings, type Finding, revisionTargets } from "../../../src/domain/review/review.js";
import { node, plan } from "../../support/plans.js";

const DIFF = [
  "diff --git a/src/new.js b/src/new.js",
  "new file mode 100644",
  "--- /dev/null",
  "+++ b/src/new.js",
  "@@ -0,0 +1,3 @@",
  "+line one",
  "+line two",
  "+line three",
  "diff --git a/src/old.js b/src/old.js",
  "--- a/src/old.js",
  "+++ b/src/old.js",
  "@@ -10,4 +10,4 @@ function f() {",
  " context 10",
  "-removed 11",
  "+added 11",
  " context 12",
  " context 13",
  "diff --git a/src/gone.js b/src/gone.js",
  "--- a/src/gone.js",
  "+++ /dev/null",
  "@@ -1,1 +0,0 @@",
  "-bye",
].join("\n");

describe("commentableLines", () => {
  it("lists the new-side lines of each hunk, added or context, and nothing of deleted files", () => {
    const lines = commentableLines(DIFF);
    expect([...(lines.get("src/new.js") ?? [])]).toEqual([1, 2, 3]);
    expect([...(lines.get("src/old.js") ?? [])]).toEqual([10, 11, 12, 13]);
    expect(lines.has("src/gone.js")).toBe(false);
  });
});

const p = plan(
  node("core", [], ["src/core/**"]),
  node("stats", ["core"], ["src/stats.js"]),
  node("report", ["stats"], ["src/report.js"]),
  node("docs", [], ["README.md"]),
);
const finding = (path: string, extra: Partial<Finding> = {}): Finding => ({
  path,
  line: 3,
  message: `fix ${path}`,
  node: "",
  interfaceChanged: false,
  ...extra,
});

describe("assignFindings", () => {
  it("gives each finding to the node that owns its file, whatever node the model named", () => {
    const { byNode, unassigned } = assignFindings(p, [
      finding("src/core/add.js", { node: "docs" }),
      finding("src/stats.js"),
      finding("package.json", { node: "stats" }),
      finding("Makefile", { node: "nobody" }),
    ]);
    expect([...byNode.keys()]).toEqual(["core", "stats"]);
    expect(byNode.get("core")?.map((f) => f.path)).toEqual(["src/core/add.js"]);
    // A file no node owns goes to the node the model named, if it exists.
    expect(byNode.get("stats")?.map((f) => f.path)).toEqual(["src/stats.js", "package.json"]);
    expect(unassigned.map((f) => f.path)).toEqual(["Makefile"]);
  });
});

describe("revisionTargets", () => {
  it("sends the nodes at fault their findings, and the dependents of a changed interface a note", () => {
    const { byNode } = assignFindings(p, [
      finding("src/stats.js", { message: "mean must return null for an empty list", interfaceChanged: true }),
      finding("README.md"),
    ]);
    const targets = revisionTargets(p, byNode);
    expect(Object.keys(targets)).toEqual(["stats", "docs", "report"]);
    expect(targets.stats).toBe("- `src/stats.js:3`: mean must return null for an empty list");
    expect(targets.report).toContain("Node `stats`, which this node depends on, is changing an interface");
    expect(targets.report).toContain("mean must return null for an empty list");
  });

  it("sends nothing beyond the nodes at fault when no interface changes", () => {
    const { byNode } = assignFindings(p, [finding("src/core/x.js")]);
    expect(Object.keys(revisionTargets(p, byNode))).toEqual(["core"]);
  });
});
