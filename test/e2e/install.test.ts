import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { gitIn } from "../support/user-repo.js";

// The README's install outside the clone: `npm pack`, `npm install -g` of the tarball into a prefix of its
// own, then the installed `swarm` used in another folder, on a repository of the user's.
const root = resolve(import.meta.dirname, "../..");
// What npm needs of the machine to reach the registry (a proxy, a company's CA): npm's, not swarm's, so
// kept. Without them npm retries a TLS error until the command's timeout.
const network = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] =>
      e[1] !== undefined &&
      /^(https?_proxy|no_proxy|node_extra_ca_certs|ssl_cert_(file|dir)|npm_config_(registry|cafile|strict_ssl))$/i.test(
        e[0],
      ),
  ),
);

describe("installing swarm", () => {
  it("from a packed tarball: the installed swarm plans on a repository elsewhere, keeping its state in .git", () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-install-"));
    const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
      execFileSync(command, args, {
        cwd,
        encoding: "utf8",
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: process.env.HOME ?? "/root",
          ...network,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
        // Synchronous, so the test's own timeout cannot stop it: a stalled command is killed here instead.
        timeout: 150_000,
      });
    // dist/ is built by the test command; the tarball carries it (package.json "files").
    const tarball = run(
      "npm",
      ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir, root],
      dir,
    ).trim();
    const listed = run("tar", ["tzf", join(dir, tarball)], dir);
    expect(listed).toContain("package/dist/entry/cli.js");
    expect(listed).toContain("package/prompts/coder.md");
    expect(listed).not.toContain("package/test/");
    expect(listed).not.toContain("tsbuildinfo");
    const prefix = join(dir, "global");
    run(
      "npm",
      [
        "install",
        "-g",
        "--prefix",
        prefix,
        "--prefer-offline",
        // npm waits 5 minutes on a stalled fetch by default (seen once here): give up sooner and retry.
        "--fetch-timeout=30000",
        "--fetch-retries=4",
        "--no-audit",
        "--no-fund",
        join(dir, tarball),
      ],
      dir,
    );
    const swarm = join(prefix, "bin", "swarm");
    expect(run(swarm, ["--help"], dir)).toMatch(/Commands:\n\s+run /);

    const repo = join(dir, "my-project");
    cpSync(join(root, "examples/todo-app"), repo, { recursive: true });
    gitIn(repo, "init", "-q", "-b", "main");
    gitIn(repo, "add", "-A");
    gitIn(repo, "commit", "-qm", "start");
    const out = execFileSync(
      swarm,
      [
        "plan",
        "--repo",
        ".",
        "--spec",
        join(root, "examples/todo-app.spec.md"),
        "--replay",
        join(root, "examples/todo-app.trace.jsonl"),
      ],
      {
        cwd: repo,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" },
      },
    );
    expect(out).toContain("owns: src/summary.ts");
    expect(gitIn(repo, "status", "--porcelain")).toBe("");
    expect(existsSync(join(repo, ".swarm"))).toBe(false);
    expect(readdirSync(join(repo, ".git/swarm/runs"))).toHaveLength(1);
  }, 180_000);
});
