import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { installationToken } from "../../src/forge/github/create-octokit.js";
import { gitClone, gitNetworkEnv, gitPush } from "../../src/workspace/git-transport.js";
import { prepareNodeCopy } from "../../src/workspace/git-workspace.js";
import { git as gitIn, resolveRef } from "../support/fake-github/bare-repo.js";
import { type FakeGitHub, startFakeGitHub } from "../support/fake-github/server.js";
import type { RepoState } from "../support/fake-github/state.js";
import { octokitFor } from "../support/github-rig.js";

let fake: FakeGitHub;
let repo: RepoState;
let token: string;
beforeAll(async () => {
  fake = await startFakeGitHub();
  repo = fake.createRepo("acme", "tools", { "README.md": "# tools\n" });
  token = await installationToken(octokitFor(fake));
});
afterAll(() => fake.stop());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

const scratch = () => mkdtempSync(join(tmpdir(), "swarm-clone-"));
const commitFile = (dir: string, name: string) => {
  writeFileSync(join(dir, name), `${name}\n`);
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A"], { cwd: dir });
  execFileSync(
    "git",
    ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", `add ${name}`],
    { cwd: dir },
  );
};

describe("git transport", () => {
  it("clones and pushes through the clone_url GitHub reports (a file:// remote here)", async () => {
    const { data } = await octokitFor(fake).rest.repos.get({ owner: "acme", repo: "tools" });
    const dir = join(scratch(), "w");
    await gitClone(data.clone_url, dir, {});
    commitFile(dir, "a.txt");
    await gitPush(dir, data.clone_url, ["HEAD:refs/heads/swarm/1-a/api"], {});
    expect(resolveRef(repo.bare, "refs/heads/swarm/1-a/api")).toBe(
      execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, encoding: "utf8" }).trim(),
    );
  });

  it("clones and pushes over https with the installation token, which never reaches .git/config", async () => {
    const url = fake.httpCloneUrl(repo);
    const dir = join(scratch(), "w");
    await gitClone(url, dir, { token });
    commitFile(dir, "b.txt");
    await gitPush(dir, url, ["HEAD:refs/heads/swarm/2-b/ui"], { token });
    expect(resolveRef(repo.bare, "refs/heads/swarm/2-b/ui")).not.toBeNull();
    const config = readFileSync(join(dir, ".git/config"), "utf8");
    expect(config).toContain(`url = ${url}`);
    expect(config).not.toContain(token);
    expect(config).not.toContain(Buffer.from(`x-access-token:${token}`).toString("base64"));
    expect(config).not.toMatch(/extraheader|authorization/i);
    expect(fake.gitRequests.length).toBeGreaterThan(0);
    expect(fake.gitRequests.every((r) => r.authorized)).toBe(true);
  });

  it("fails clearly without a token, and never shows the token in an error", async () => {
    const url = fake.httpCloneUrl(repo);
    await expect(gitClone(url, join(scratch(), "w"), {})).rejects.toThrow(
      /^git clone failed: .*(401|Authentication failed|could not read Username)/,
    );
    const wrong = `ghs_${"0".repeat(36)}`;
    const error = await gitClone(url, join(scratch(), "w"), { token: wrong }).catch((e: Error) => e);
    expect(String(error)).toMatch(/git clone failed/);
    expect(String(error)).not.toContain(wrong);
  });

  it("gives git only the host variables it needs, and the token only for its own origin", () => {
    const env = gitNetworkEnv(
      "https://github.com/acme/tools.git",
      { token: "ghs_abc" },
      {
        PATH: "/usr/bin",
        HOME: "/home/w",
        GITHUB_TOKEN: "ghs_other",
        ANTHROPIC_API_KEY: "sk-ant-x",
        AWS_SECRET_ACCESS_KEY: "s",
      },
    );
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/w",
      GIT_TERMINAL_PROMPT: "0",
      GCM_INTERACTIVE: "never",
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.https://github.com/.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from("x-access-token:ghs_abc").toString("base64")}`,
    });
    expect(gitNetworkEnv("file:///srv/repo.git", { token: "ghs_abc" }, {})).not.toHaveProperty(
      "GIT_CONFIG_COUNT",
    );
  });

  it("delivers pull_request.synchronize when a push moves an open PR's head", async () => {
    const url = fake.httpCloneUrl(repo);
    const dir = join(scratch(), "w");
    await gitClone(url, dir, { token });
    commitFile(dir, "c.txt");
    await gitPush(dir, url, ["HEAD:refs/heads/swarm/3-c/integration"], { token });
    const octokit = octokitFor(fake);
    const { data: pr } = await octokit.rest.pulls.create({
      owner: "acme",
      repo: "tools",
      head: "swarm/3-c/integration",
      base: "main",
      title: "c",
    });
    const events: string[] = [];
    fake.onEvent((e) => {
      if (e.kind === "pull-request") events.push(`${e.action} #${e.pull.number}`);
    });
    commitFile(dir, "d.txt");
    await gitPush(dir, url, ["HEAD:refs/heads/swarm/3-c/integration"], { token });
    expect(events).toEqual([`synchronize #${pr.number}`]);
    expect(gitIn(repo.bare, "log", "-1", "--format=%s", "swarm/3-c/integration")).toBe("add d.txt");
  });

  it("node copies borrow objects from the worker's mirror, which keeps up with the remote and holds no token", async () => {
    const url = fake.httpCloneUrl(repo);
    const mirrorsDir = scratch();
    const copy = () =>
      prepareNodeCopy({
        remote: url,
        auth: { token },
        base: "main",
        branch: "swarm/4-m/x",
        dependencyBranches: [],
        mirrorsDir,
      });
    const first = await copy();
    const [mirror] = readdirSync(mirrorsDir).filter((n) => n.endsWith(".git"));
    expect(mirror).toBeDefined();
    const alternates = readFileSync(join(first, ".git/objects/info/alternates"), "utf8").trim();
    expect(alternates).toBe(join(mirrorsDir, String(mirror), "objects"));
    const mirrorConfig = readFileSync(join(mirrorsDir, String(mirror), "config"), "utf8");
    expect(mirrorConfig).not.toContain(token);
    expect(mirrorConfig).toMatch(/auto = 0/); // gc never drops objects that copies borrow

    commitFile(first, "e.txt");
    await gitPush(first, url, ["HEAD:refs/heads/main"], { token });
    const second = await copy();
    expect(readFileSync(join(second, "e.txt"), "utf8")).toBe("e.txt\n");
    expect(gitIn(join(mirrorsDir, String(mirror)), "log", "-1", "--format=%s", "main")).toBe("add e.txt");
    expect(readdirSync(mirrorsDir).filter((n) => n.startsWith(".new-"))).toEqual([]);
  });
});
