import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSandboxed } from "../../src/sandbox/run-sandboxed.js";
import { SandboxUnavailableError } from "../../src/sandbox/sandbox-unavailable-error.js";

describe("no silent downgrade", () => {
  it("refuses to run when bubblewrap is missing, and says how to install it or opt out", async () => {
    const error = await runSandboxed(
      { cwd: tmpdir(), command: "true" },
      { bwrap: "bwrap-not-installed-here" },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    const e = error as SandboxUnavailableError;
    expect(e.problem).toBe(
      "swarm cannot isolate the repository's commands: bubblewrap (bwrap-not-installed-here) is not installed.",
    );
    expect(e.fix).toContain("apt-get install -y bubblewrap");
    expect(e.fix).toContain("sandbox.mode: none");
    expect(e.decision).toBe("tell-user");
  });

  it("runs without isolation only when asked, and says so loudly", async () => {
    const warnings: string[] = [];
    const cwd = mkdtempSync(join(tmpdir(), "swarm-none-"));
    process.env.GITHUB_TOKEN = "ghs_stillnotpassed000000000000000000000";
    try {
      const r = await runSandboxed(
        { cwd, command: "pwd; env | grep -c TOKEN || true", mode: "none" },
        { warn: (m) => warnings.push(m) },
      );
      expect(r.exitCode).toBe(0);
      // Still a clean environment and the limits; only the namespaces are gone.
      expect(r.stdoutTail.trim().split("\n")).toEqual([cwd, "0"]);
      expect(warnings).toEqual([
        expect.stringMatching(/^sandbox\.mode is none: running "pwd;.*" without isolation/),
      ]);
    } finally {
      delete process.env.GITHUB_TOKEN;
    }
  });
});
