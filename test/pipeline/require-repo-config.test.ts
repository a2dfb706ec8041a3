import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/domain/errors.js";
import { explainFailure } from "../../src/entry/cli-failure.js";
import { createLocalForge } from "../../src/forge/local/create-local-forge.js";
import { requireRepoConfig } from "../../src/pipeline/require-repo-config.js";
import { userRepo } from "../support/user-repo.js";

// The config a terminal run starts with, read from a real git repository through the local forge.
const state = mkdtempSync(join(tmpdir(), "swarm-require-config-"));
afterAll(() => rmSync(state, { recursive: true, force: true }));
const forgeOf = (files: Record<string, string>) =>
  createLocalForge({ repoDir: userRepo(files), stateFile: join(state, `${Math.random()}.json`) });

describe("requireRepoConfig", () => {
  it("gives the defaults without a config, and the committed config when there is one", async () => {
    expect((await requireRepoConfig(forgeOf({ "a.ts": "" }), "main")).label).toBe("swarm");
    const forge = forgeOf({ ".github/swarm.yml": "label: ai\n" });
    expect((await requireRepoConfig(forge, "main")).label).toBe("ai");
  });

  it("throws a ConfigError naming each problem with its line and fix, which the terminal shows with exit 2", async () => {
    const forge = forgeOf({ ".github/swarm.yml": "label: 5\nlimits:\n  maxNodez: 3\n" });
    const error = await requireRepoConfig(forge, "main").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(explainFailure(error, "swarm run", {})).toEqual({
      exitCode: 2,
      text: [
        "swarm run: .github/swarm.yml on main has 2 problems:",
        "    - line 1, label: must be text, but it is 5 (fix: write text; quote it if it looks like a number or true/false)",
        '    - line 3, limits.maxNodez: unknown key "maxNodez" (fix: did you mean "maxNodes"? Rename it, or remove it)',
        "    fix: Correct the file (npx swarm config validate checks it), commit it, and run again.",
      ].join("\n"),
    });
  });

  it("refuses an alias bomb as a problem, not a crash", async () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const name of ["b", "c", "d", "e"])
      bomb.push(
        `${name}: &${name} [${Array(10)
          .fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`)
          .join(", ")}]`,
      );
    const error = await requireRepoConfig(forgeOf({ ".github/swarm.yml": bomb.join("\n") }), "main").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).details).toEqual([
      expect.stringMatching(/^line 2, \(yaml\): its aliases \(\*name\) expand to more than 100 copies/),
    ]);
  });
});
