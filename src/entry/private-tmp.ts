import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killAllSandboxes } from "../sandbox/sandbox-process.js";

/**
 * Points this process's temporary folder (TMPDIR, which `os.tmpdir()` reads on every call) at a folder of
 * its own, removed when the process exits however it exits (a second Ctrl-C included), so no working
 * copy, checkout or install is left behind in /tmp.
 */
export function usePrivateTmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.TMPDIR = dir;
  process.once("exit", () => {
    // Sandboxed commands first: they are out of reach of the terminal's Ctrl-C, and one still writing
    // (an install, with absolute paths) would make the folder again after it is removed.
    killAllSandboxes();
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2, retryDelay: 20 });
    } catch {
      // still being written to: the cleaner below finishes it
    }
    // A git process started in the instant of the Ctrl-C can outlive this one by a moment and make its
    // path again (git clone creates the folders it needs): a detached cleaner removes the folder again
    // over the next seconds, once every such process is gone.
    spawn("sh", ["-c", 'for s in 1 2 3; do sleep "$s"; rm -rf "$0"; done', dir], {
      detached: true,
      stdio: "ignore",
    }).unref();
  });
  return dir;
}
