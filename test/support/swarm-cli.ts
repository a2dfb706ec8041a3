import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import type { FakeAnthropic } from "./fake-anthropic/server.js";
import { TEST_DOWNLOADS } from "./node-rig.js";

export type Ran = { code: number | null; stdout: string; stderr: string };

const bin = join(resolve(import.meta.dirname, "../.."), "bin/swarm.js");

/**
 * `swarm <args>` as a person runs it, with the fake Messages API as its model and the tests' download
 * cache; `onStderr` sees what it has said so far, and may kill it there.
 */
export function runSwarm(
  args: readonly string[],
  options: { anthropic: FakeAnthropic; cwd?: string; onStderr?: (text: string, kill: () => void) => void },
): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        SWARM_CACHE_DIR: TEST_DOWNLOADS,
        ANTHROPIC_API_KEY: options.anthropic.apiKey,
        ANTHROPIC_BASE_URL: options.anthropic.url,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => {
      stderr += c;
      options.onStderr?.(stderr, () => child.kill("SIGKILL"));
    });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}
