import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RepoConfigSchema } from "../../src/domain/config/repo-config.js";
import { runInstall } from "../../src/sandbox/run-install.js";

// The install step the node runner and `swarm run`'s local CI share, in the real bubblewrap sandbox.
const configWith = (install?: string) =>
  RepoConfigSchema.parse({ validation: { ...(install ? { install } : {}), installNetwork: false } });

describe("runInstall", () => {
  it("runs the install command in the working copy, and says nothing when it passes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-install-"));
    expect(await runInstall(dir, configWith("echo deps > installed.txt"))).toBeNull();
    expect(readFileSync(join(dir, "installed.txt"), "utf8")).toBe("deps\n");
  });

  it("returns the output of a failing install, and null when there is no install step", async () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-install-"));
    const failed = await runInstall(dir, configWith("echo 'npm ERR! missing lockfile' >&2; exit 1"));
    expect(failed).toContain("npm ERR! missing lockfile");
    expect(await runInstall(dir, configWith())).toBeNull();
  });
});
