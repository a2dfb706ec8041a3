import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMarker, renderMarker } from "../../src/domain/markers.js";
import { fitText, MAX_ISSUE_BODY } from "../../src/forge/github/limits.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import { forgeFor } from "../support/github-rig.js";
import { node } from "../support/plans.js";

describe("fitText", () => {
  it("leaves text within the limit alone", () => {
    expect(fitText("short", 10)).toBe("short");
  });

  it("cuts long text to the limit, says so, and keeps the hidden marker at the end intact", () => {
    const marker = renderMarker("review", { v: 1, key: "abc:1" });
    const text = `${"x".repeat(70_000)}\n\n${marker}`;
    const fitted = fitText(text, MAX_ISSUE_BODY);
    expect(fitted.length).toBe(MAX_ISSUE_BODY);
    expect(fitted).toContain("more characters cut to fit GitHub's limit");
    expect(readMarker(fitted, "review")).toEqual({ v: 1, key: "abc:1" });
  });
});

describe("GitHub's limit of 100 sub-issues", () => {
  let fake: FakeGitHub;
  beforeAll(async () => {
    fake = await startFakeGitHub();
  });
  afterAll(() => fake.stop());

  it("refuses a node's sub-issue past it, saying what to do", async () => {
    const repo = fake.createRepo("acme", "big");
    const spec = fake.openIssue(repo, "Huge spec", "Everything.");
    spec.subIssueIds = Array.from({ length: 100 }, (_, i) => fake.openIssue(repo, `other ${i}`, "x").id);
    const error = await forgeFor(fake, repo)
      .ensureNodeIssue(spec.number, node("api"), "pending", "b")
      .catch((e: Error) => e);
    expect(String(error)).toContain(
      `Issue #${spec.number} already has 100 sub-issues, GitHub's limit, so node "api" cannot get one.`,
    );
    expect(fake.violations.splice(0)).toEqual([]);
  });
});
