import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { commitAndPush } from "../../src/workspace/git-workspace.js";
import { createBareRepo, git } from "../support/fake-github/bare-repo.js";

// swarm says a push before it makes it (its webhook may come first), so the commit is known before the push.
it("hands the new commit to beforePush before pushing it, and returns it", async () => {
  const bare = createBareRepo(mkdtempSync(join(tmpdir(), "swarm-push-")), "lib", { "src/a.js": "one\n" });
  const dir = mkdtempSync(join(tmpdir(), "swarm-push-work-"));
  git(dir, "clone", "-q", bare, ".");
  writeFileSync(join(dir, "src/a.js"), "two\n");
  const branch = "swarm/1-lib/n1";
  const told: { sha: string; remote: string }[] = [];
  const sha = await commitAndPush({
    dir,
    remote: bare,
    auth: {},
    branch,
    files: ["src/a.js"],
    message: "Node n1",
    beforePush: async (commit) => {
      told.push({ sha: commit, remote: git(bare, "for-each-ref", `refs/heads/${branch}`) });
    },
  });
  expect(told).toEqual([{ sha, remote: "" }]);
  expect(git(bare, "rev-parse", `refs/heads/${branch}`)).toBe(sha);
  expect(git(bare, "show", `${sha}:src/a.js`)).toBe("two");
});
