import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLocalForge, openLocalSpec } from "../../src/forge/local/create-local-forge.js";
import { LocalStateSchema } from "../../src/forge/local/local-state.js";
import { node } from "../support/plans.js";

const git = (dir: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    cwd: dir,
    encoding: "utf8",
  }).trim();

function localRepo() {
  const dir = mkdtempSync(join(tmpdir(), "swarm-local-forge-"));
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, "README.md"), "# todo\n");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "start");
  return { dir, stateFile: join(dir, ".swarm", "state.json") };
}

describe("the local forge", () => {
  it("keeps a run in a state file and git: keyed writes, node records, the PR, checks, and loadRun", async () => {
    const { dir, stateFile } = localRepo();
    const spec = openLocalSpec(stateFile, "Add todos", "Build a todo list.");
    expect(openLocalSpec(stateFile, "Add todos", "Build a todo list.")).toBe(spec);
    const forge = createLocalForge({ repoDir: dir, stateFile });
    expect(await forge.readIssue(spec)).toMatchObject({
      title: "Add todos",
      body: "Build a todo list.",
      state: "open",
    });
    expect(await forge.defaultBranch()).toBe("main");
    expect(await forge.listFiles("main")).toEqual(["README.md"]);
    expect(await forge.readFile("main", "README.md")).toBe("# todo\n");
    expect(await forge.readFile("main", "missing.md")).toBeNull();

    const first = await forge.ensureComment(spec, "note", "one");
    expect(await forge.ensureComment(spec, "note", "two")).toEqual(first);
    const meta = {
      v: 1 as const,
      spec,
      runId: "r1",
      status: "coding" as const,
      summary: "two nodes",
      nodeOrder: ["api", "ui"],
    };
    await forge.ensureDashboardComment(spec, "dashboard", meta);
    const api = await forge.ensureNodeIssue(spec, node("api"), "pending", "swarm/1-add-todos/api");
    expect(await forge.ensureNodeIssue(spec, node("api"), "pending", "swarm/1-add-todos/api")).toEqual(api);
    const ui = await forge.ensureNodeIssue(spec, node("ui", ["api"]), "pending", "swarm/1-add-todos/ui");
    await forge.linkDependency(ui, api);
    await forge.setNodeStatus(api, spec, node("api"), "done", "swarm/1-add-todos/api", {
      summary: "Built the API.",
      handoff: "Call api() for the list.",
    });
    git(dir, "branch", "swarm/1-add-todos/api");
    git(dir, "branch", "swarm/1-add-todos/integration");

    const pr = await forge.ensurePullRequest({
      head: "swarm/1-add-todos/integration",
      base: "main",
      title: "Add todos",
      body: "Closes #1",
      draft: true,
    });
    expect(
      await forge.ensurePullRequest({
        head: "swarm/1-add-todos/integration",
        base: "main",
        title: "Add todos",
        body: "Closes #1 (2)",
        draft: true,
      }),
    ).toEqual(pr);
    const review = await forge.postReview({
      pullNumber: pr.number,
      commitSha: pr.headSha,
      key: "k",
      body: "r",
      comments: [{ path: "README.md", line: 1, body: "x" }],
    });
    expect(
      await forge.postReview({
        pullNumber: pr.number,
        commitSha: pr.headSha,
        key: "k",
        body: "again",
        comments: [],
      }),
    ).toEqual(review);
    const [commentId] = review.commentIds;
    expect(await forge.listReviewComments(pr.number, review.id)).toEqual([
      { id: commentId, path: "README.md", line: 1, body: "x" },
    ]);
    // A thread is closed once per key: a reply kept with the comment, and resolved; an unknown one is missing.
    const closing = { commentId: commentId ?? 0, key: "addressed-1", body: "Addressed in abc." };
    expect(await forge.closeReviewThreads(pr.number, [closing, { ...closing, commentId: 999 }])).toEqual({
      missing: [999],
    });
    await forge.closeReviewThreads(pr.number, [{ ...closing, body: "again" }]);
    expect(JSON.parse(readFileSync(stateFile, "utf8")).pulls[0].reviews[0].comments[0]).toMatchObject({
      replies: [{ key: "addressed-1", body: "Addressed in abc." }],
      resolved: true,
    });
    await forge.upsertCheckRun({
      name: "test",
      headSha: pr.headSha,
      status: "completed",
      conclusion: "failure",
      title: "t",
      summary: "s",
    });
    await forge.upsertCheckRun({
      name: "test",
      headSha: pr.headSha,
      status: "completed",
      conclusion: "success",
      title: "t",
      summary: "s",
    });
    expect((await forge.listCheckResults("swarm/1-add-todos/integration")).map((c) => c.conclusion)).toEqual([
      "success",
    ]);
    await forge.markReadyForReview(pr);
    expect((await forge.readPullRequest(pr.number)).draft).toBe(false);

    const run = await createLocalForge({ repoDir: dir, stateFile }).loadRun(spec);
    expect(run).toMatchObject({
      meta,
      states: { api: "done", ui: "pending" },
      summaries: { api: "Built the API." },
      handoffs: { api: "Call api() for the list." },
      pullRequest: { number: pr.number, headSha: git(dir, "rev-parse", "main"), draft: false },
    });
    expect(run?.plan.nodes.map((n) => n.id)).toEqual(["api", "ui"]);
    expect(Object.keys(run?.branches ?? {}).sort()).toEqual([
      "swarm/1-add-todos/api",
      "swarm/1-add-todos/integration",
    ]);
    // The file is the durable record, and it validates.
    const saved = LocalStateSchema.parse(JSON.parse(readFileSync(stateFile, "utf8")));
    expect(saved.nodes.find((n) => n.node.id === "ui")?.blockedBy).toEqual([api.number]);
    expect(saved.issues.find((i) => i.number === api.number)?.state).toBe("closed");
  });
});
