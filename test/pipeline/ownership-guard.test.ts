import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createOwnershipGuard } from "../../src/pipeline/code/ownership-guard.js";
import { openWorkingCopy } from "../../src/workspace/local-working-copy.js";

// The guard after a shell command, on a real git working copy, against what commands really do to a tree:
// links out of it, a file where a folder was, a folder where a file was.
async function copy() {
  const dir = mkdtempSync(join(tmpdir(), "swarm-guard-"));
  mkdirSync(join(dir, "docs"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "docs/a.md"), "# a\n");
  writeFileSync(join(dir, "docs/b.md"), "# b\n");
  writeFileSync(join(dir, "notes.txt"), "notes\n");
  writeFileSync(join(dir, "src/own.ts"), "mine\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "start");
  const guard = await createOwnershipGuard({
    copy: await openWorkingCopy(dir),
    node: { id: "n", owns: ["src/**"] },
    plan: {
      summary: "",
      nodes: [
        {
          id: "d",
          title: "D",
          role: "docs",
          goal: "g",
          owns: ["docs/**"],
          dependsOn: [],
          acceptance: ["a"],
          size: "S",
        },
      ],
    },
    protectedPaths: [],
  });
  return { dir, guard };
}

describe("the ownership guard", () => {
  it("puts back a tree that a command turned inside out, and reports each path", async () => {
    const { dir, guard } = await copy();
    symlinkSync("/etc/passwd", join(dir, "passwd-link"));
    rmSync(join(dir, "notes.txt"));
    mkdirSync(join(dir, "notes.txt"));
    writeFileSync(join(dir, "notes.txt/inside"), "x");
    rmSync(join(dir, "docs"), { recursive: true });
    writeFileSync(join(dir, "docs"), "a file where a folder was");
    writeFileSync(join(dir, "src/own.ts"), "still mine, changed\n");

    const report = await guard.enforce();
    expect(report).toContain("- `passwd-link` (new; removed; no node owns it)");
    expect(report).toContain("- `notes.txt` (deleted; restored; no node owns it)");
    expect(report).toContain("- `docs/a.md` (deleted; restored; owned by node `d`)");
    expect(report).not.toContain("could not be");
    expect(existsSync(join(dir, "passwd-link"))).toBe(false);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("notes\n");
    expect(readFileSync(join(dir, "docs/b.md"), "utf8")).toBe("# b\n");
    expect(readFileSync(join(dir, "src/own.ts"), "utf8")).toBe("still mine, changed\n");
    // Nothing is left to revert, and the next look is quiet.
    expect(await guard.enforce()).toBeNull();
  });

  it("blames a command only for what it changed: what was there before it is left alone", async () => {
    const { dir } = await copy();
    writeFileSync(join(dir, "notes.txt"), "changed by the install step\n");
    const guard = await createOwnershipGuard({
      copy: await openWorkingCopy(dir),
      node: { id: "n", owns: ["src/**"] },
      protectedPaths: [],
    });
    expect(await guard.enforce()).toBeNull();
    writeFileSync(join(dir, "notes.txt"), "changed again by a command\n");
    expect(await guard.enforce()).toContain("- `notes.txt` (changed; put back; no node owns it)");
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("notes\n");
  });
});
