import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Points this process's temporary folder (TMPDIR, which `os.tmpdir()` reads on every call) at a folder of
 * its own, removed when the process exits however it exits (a second Ctrl-C included), so no working
 * copy, checkout or install is left behind in /tmp.
 */
export function usePrivateTmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.env.TMPDIR = dir;
  // Retried: a process of the run may still be writing there in the instant the removal runs.
  process.once("exit", () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));
  return dir;
}
