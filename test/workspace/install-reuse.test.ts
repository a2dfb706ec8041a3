import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandCheck } from "../../src/domain/checks/check-run.js";
import { createInstallReuse } from "../../src/workspace/install-reuse.js";

// Working copies of one run share what one install of the same dependency files left, when that is only
// installed dependencies; anything else an install writes makes it run in every copy.
function copyWith(lock: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "swarm-reuse-"));
  writeFileSync(join(dir, "package.json"), '{ "name": "x" }\n');
  writeFileSync(join(dir, "package-lock.json"), lock);
  writeFileSync(join(dir, ".gitignore"), "node_modules/\ndist/\n");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "start");
  return dir;
}

function installer(writes: (dir: string) => void) {
  const ran: string[] = [];
  const install = (dir: string) => async (): Promise<CommandCheck> => {
    ran.push(dir);
    writes(dir);
    return {
      command: "npm ci",
      exitCode: 0,
      passed: true,
      skipped: false,
      seconds: 1,
      limitsHit: [],
      failures: [],
      output: "added 1 package",
    };
  };
  return { ran, install };
}

const installsModules = (dir: string) => {
  mkdirSync(join(dir, "node_modules/.bin"), { recursive: true });
  writeFileSync(join(dir, "node_modules/tool.js"), "tool");
  execFileSync("ln", ["-s", "../tool.js", join(dir, "node_modules/.bin/tool")]);
};

describe("install reuse", () => {
  it("copies the installed node_modules into a copy with the same dependency files, symlinks kept", async () => {
    const reuse = createInstallReuse(mkdtempSync(join(tmpdir(), "swarm-kept-")));
    const { ran, install } = installer(installsModules);
    const [a, b] = [copyWith("lock-1"), copyWith("lock-1")];
    const results = await Promise.all([reuse(a, "npm ci", install(a)), reuse(b, "npm ci", install(b))]);
    // One of the two installs (whichever takes the key first: under load it may be either); the other copies.
    expect(ran).toHaveLength(1);
    const [installed, copied] = ran[0] === a ? [a, b] : [b, a];
    const [first, second] = ran[0] === a ? results : [results[1], results[0]];
    expect(first?.output).toBe("added 1 package");
    expect(second).toMatchObject({
      passed: true,
      output:
        "Installed by copying node_modules from another working copy with the same dependency files, where `npm ci` ran.",
    });
    expect(readFileSync(join(copied, "node_modules/.bin/tool"), "utf8")).toBe("tool");
    // A copy of its own: what one copy does to its node_modules, the other does not see.
    writeFileSync(join(copied, "node_modules/tool.js"), "changed");
    expect(readFileSync(join(installed, "node_modules/tool.js"), "utf8")).toBe("tool");
  });

  it("installs again for other dependency files, or another command", async () => {
    const reuse = createInstallReuse(mkdtempSync(join(tmpdir(), "swarm-kept-")));
    const { ran, install } = installer(installsModules);
    const [a, b, c] = [copyWith("lock-1"), copyWith("lock-2"), copyWith("lock-1")];
    await reuse(a, "npm ci", install(a));
    await reuse(b, "npm ci", install(b));
    await reuse(c, "npm install", install(c));
    expect(ran).toEqual([a, b, c]);
  });

  it("installs again when a workspace's manifest differs, though the root's files are the same", async () => {
    const reuse = createInstallReuse(mkdtempSync(join(tmpdir(), "swarm-kept-")));
    const { ran, install } = installer(installsModules);
    const [a, b] = [
      copyWith("lock-1", { "app/package.json": '{ "name": "app", "dependencies": { "left-pad": "1" } }\n' }),
      copyWith("lock-1", { "app/package.json": '{ "name": "app", "dependencies": { "left-pad": "2" } }\n' }),
    ];
    await reuse(a, "npm ci", install(a));
    await reuse(b, "npm ci", install(b));
    expect(ran).toEqual([a, b]);
  });

  it("runs the install in every copy when it changed a tracked file (a rewritten lockfile)", async () => {
    const reuse = createInstallReuse(mkdtempSync(join(tmpdir(), "swarm-kept-")));
    const { ran, install } = installer((dir) => {
      installsModules(dir);
      writeFileSync(join(dir, "package-lock.json"), "rewritten");
    });
    const [a, b] = [copyWith("lock-1"), copyWith("lock-1")];
    await reuse(a, "npm install", install(a));
    await reuse(b, "npm install", install(b));
    expect(ran).toEqual([a, b]);
  });

  it("runs the install in every copy when it wrote more than dependencies (a build of the sources)", async () => {
    const reuse = createInstallReuse(mkdtempSync(join(tmpdir(), "swarm-kept-")));
    const { ran, install } = installer((dir) => {
      installsModules(dir);
      mkdirSync(join(dir, "dist"));
      writeFileSync(join(dir, "dist/index.js"), "built from this copy's sources");
    });
    const [a, b] = [copyWith("lock-1"), copyWith("lock-1")];
    await reuse(a, "npm ci", install(a));
    await reuse(b, "npm ci", install(b));
    expect(ran).toEqual([a, b]);
    expect(existsSync(join(b, "dist/index.js"))).toBe(true);
  });
});
