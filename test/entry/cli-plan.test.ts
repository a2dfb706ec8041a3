import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply } from "../support/fake-anthropic/script.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { node } from "../support/plans.js";

// `swarm plan` as a user runs it (bin/swarm.js over the build) against a local repository and the fake API.
const bin = resolve(import.meta.dirname, "../../bin/swarm.js");
const plan = {
  summary: "Storage first, then the commands.",
  nodes: [
    node("store", [], ["src/store.ts"], { title: "Todo storage" }),
    node("commands", ["store"], ["src/commands.ts"], { title: "Add and list commands" }),
  ],
};
let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({ model: () => reply.json(plan) });
});
afterAll(() => anthropic.stop());

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "swarm-cli-plan-"));
  const repo = join(dir, "todo");
  mkdirSync(join(repo, "src"), { recursive: true });
  writeFileSync(join(repo, "src/todo.ts"), "export type Todo = { title: string; done: boolean };\n");
  writeFileSync(join(repo, "README.md"), "# todo\n");
  const g = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo });
  g("init", "-q", "-b", "main");
  g("add", "-A");
  g("commit", "-qm", "start");
  writeFileSync(
    join(dir, "spec.md"),
    "# Add a todo list\n\nStore todos and add `add` and `list` commands.\n\n- [ ] `list` shows every todo\n",
  );
  return { dir, repo, spec: join(dir, "spec.md") };
}
// Spawned, not spawnSync: the fake API runs in this process and must keep answering.
const swarm = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bin, "plan", ...args], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

describe("swarm plan", () => {
  it("prints the plan for a spec file against a local repository, and changes nothing in it", async () => {
    const { dir, repo, spec } = setup();
    const before = execFileSync("git", ["status", "--porcelain"], { cwd: repo, encoding: "utf8" });
    const result = await swarm(["--repo", repo, "--spec", spec], {
      ANTHROPIC_API_KEY: anthropic.apiKey,
      ANTHROPIC_BASE_URL: anthropic.url,
      SWARM_RUNS_DIR: join(dir, "runs"),
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 4)).toEqual([
      "Storage first, then the commands.",
      "",
      "store  Todo storage  (implement, M)",
      "    owns: src/store.ts",
    ]);
    expect(result.stdout).toContain("    after: store");
    // The estimate, from the priors (no run has finished here): two M nodes one after the other, the reviews.
    expect(result.stderr).toMatch(
      /^swarm plan: 2 nodes in 1 planner turn; estimate \$[\d.]+–\$[\d.]+ · [\d.]+K–[\d.]+M tokens · 12–70 min · based on priors; trace: .*trace\.jsonl\n$/,
    );
    expect(result.stdout).toMatch(
      /\nestimate: .+ · based on priors\n {2}tokens by role: planner \(claude-opus-5-5\) [\d.]+K? · coder \(claude-sonnet-5-5\) 800K–3\.0M · reviewer \(claude-sonnet-5-5\) 60K–800K\n$/,
    );
    // The planner saw the spec, the file tree and the code map of the repository.
    const request = JSON.stringify(anthropic.requests.at(-1)?.body.messages);
    expect(request).toContain("Add a todo list");
    expect(request).toContain("(code map: the definitions most related to the spec)");
    expect(request).toContain("## src/todo.ts");
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: repo, encoding: "utf8" })).toBe(before);
  });

  it("says what is missing: the API key, or a readable spec file", async () => {
    const { repo, spec } = setup();
    const noKey = await swarm(["--repo", repo, "--spec", spec], {});
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("ANTHROPIC_API_KEY");
    const noSpec = await swarm(["--repo", repo, "--spec", "nowhere.md"], { ANTHROPIC_API_KEY: "k" });
    expect(noSpec.code).toBe(2);
    expect(noSpec.stderr).toContain("The spec file nowhere.md does not exist.");
  });
});
