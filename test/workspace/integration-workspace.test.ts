import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntegrationConflictError } from "../../src/domain/errors.js";
import { resolveConflict } from "../../src/pipeline/integrate/resolve-conflict.js";
import { mergeNodeBranches } from "../../src/workspace/integration-workspace.js";
import { openWorkingCopy } from "../../src/workspace/local-working-copy.js";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { createBareRepo, git, resolveRef } from "../support/fake-github/bare-repo.js";
import { modelClientFor } from "../support/model-rig.js";
import { node, plan } from "../support/plans.js";

// Nodes own separate files, so their branches merge cleanly; when they do not, the integrator agent
// resolves the conflict with the coder's editor, limited to the conflicted files, or the merge stops.

let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({
    model: (req) => {
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      if (turn === 0) return call.create("src/a.js", "one\nfrom n1\nfrom n2\n");
      if (turn === 1) return call.runChecks();
      if (turn === 2) return call.finish("Kept both lines.");
      return reply.text("Done.");
    },
  });
});
afterAll(() => anthropic.stop());

function repoWithBranches() {
  const bare = createBareRepo(mkdtempSync(join(tmpdir(), "swarm-int-")), "lib", { "src/a.js": "one\n" });
  const branch = (name: string, file: string, text: string) => {
    const work = mkdtempSync(join(tmpdir(), "swarm-int-work-"));
    git(work, "clone", "-q", bare, ".");
    git(work, "checkout", "-q", "-b", name);
    writeFileSync(join(work, file), text);
    git(work, "add", "-A");
    git(work, "commit", "-qm", `work of ${name}`);
    git(work, "push", "-q", "origin", name);
  };
  branch("swarm/1-lib/n1", "src/a.js", "one\nfrom n1\n");
  branch("swarm/1-lib/n2", "src/a.js", "one\nfrom n2\n");
  branch("swarm/1-lib/n3", "src/b.js", "b\n");
  return bare;
}

const nodes = ["n1", "n2", "n3"].map((id) => ({ id, branch: `swarm/1-lib/${id}`, title: `Node ${id}` }));
const integration = "swarm/1-lib/integration";

describe("mergeNodeBranches", () => {
  it("stops on a conflict nobody resolves, naming the node and the files, and pushes nothing", async () => {
    const bare = repoWithBranches();
    const merging = mergeNodeBranches({ remote: bare, auth: {}, base: "main", integration, nodes });
    await expect(merging).rejects.toBeInstanceOf(IntegrationConflictError);
    await expect(merging).rejects.toMatchObject({ nodeId: "n2", files: ["src/a.js"] });
    expect(resolveRef(bare, `refs/heads/${integration}`)).toBeNull();
  });

  it("has the integrator agent resolve it, records it, and leaves an unchanged branch alone next time", async () => {
    const bare = repoWithBranches();
    const { client, config } = modelClientFor(anthropic);
    const p = plan(node("n1", [], ["src/a.js"]), node("n2", [], ["src/a.js"]), node("n3", [], ["src/b.js"]));
    const resolve = async (dir: string, conflict: { nodeId: string; files: string[] }) =>
      resolveConflict(client, config, { copy: await openWorkingCopy(dir), plan: p, ...conflict });

    const first = await mergeNodeBranches({
      remote: bare,
      auth: {},
      base: "main",
      integration,
      nodes,
      resolve,
    });
    expect(first).toMatchObject({ pushed: true, conflicts: [{ nodeId: "n2", files: ["src/a.js"] }] });
    expect(git(bare, "show", `${integration}:src/a.js`)).toBe("one\nfrom n1\nfrom n2");
    expect(git(bare, "show", `${integration}:src/b.js`)).toBe("b");
    expect(
      git(bare, "log", "--format=%s", "--first-parent", `main..${integration}`).split("\n").reverse(),
    ).toEqual([
      "Merge node n1: Node n1",
      "Merge node n2: Node n2 (conflict in src/a.js resolved by the integrator)",
      "Merge node n3: Node n3",
    ]);
    // The agent checked its work: the check it ran after writing found no conflict marker left.
    expect(
      anthropic.requests.some((r) => JSON.stringify(r.body.messages).includes("No conflict markers left.")),
    ).toBe(true);

    const again = await mergeNodeBranches({
      remote: bare,
      auth: {},
      base: "main",
      integration,
      nodes,
      resolve,
    });
    expect(again).toEqual({
      headSha: first.headSha,
      pushed: false,
      conflicts: [{ nodeId: "n2", files: ["src/a.js"] }],
    });
    expect(resolveRef(bare, `refs/heads/${integration}`)).toBe(first.headSha);
  });
});
