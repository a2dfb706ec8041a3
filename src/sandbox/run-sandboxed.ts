import { constants } from "node:os";
import { detectCgroups } from "./cgroups.js";
import { createOutputCapture } from "./output-capture.js";
import { hasBubblewrap, type SandboxOptions, spawnSandboxed } from "./sandbox-process.js";
import type { LimitName, SandboxRequest, SandboxResult } from "./sandbox-types.js";

export type { SandboxOptions };

/**
 * Runs an untrusted command in the working copy `cwd`: isolated by bubblewrap (no network unless installing,
 * no host files but a read-only system, no host environment), with memory and process limits from cgroups,
 * CPU time and file size from prlimit, a wall-clock limit that kills the whole process tree, and output kept
 * to its start and end. The result says which limits were enforced here and which were hit.
 */
export async function runSandboxed(
  request: SandboxRequest,
  options: SandboxOptions = {},
): Promise<SandboxResult> {
  const started = performance.now();
  const { child, limits, cgroup, killTree, limitsEnforced } = spawnSandboxed(request, options);
  const keep = Math.min(limits.outputBytes, request.keepOutputBytes ?? 256 * 1024);
  const stdout = createOutputCapture(keep);
  const stderr = createOutputCapture(keep);
  const hit = new Set<LimitName>();
  const onOutput = (capture: ReturnType<typeof createOutputCapture>) => (chunk: Buffer) => {
    capture.push(chunk);
    if (stdout.total + stderr.total > limits.outputBytes && !hit.has("output")) {
      hit.add("output");
      killTree();
    }
  };
  child.stdout?.on("data", onOutput(stdout));
  child.stderr?.on("data", onOutput(stderr));
  const timer = setTimeout(() => {
    hit.add("wall");
    killTree();
  }, limits.wallMs);

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (c, s) => resolve({ code: c, signal: s }));
    },
  ).finally(() => clearTimeout(timer));
  const durationMs = performance.now() - started;
  const usage = cgroup.read();
  await cgroup.remove();

  // Signals inside the sandbox come back as 128 + the signal's number.
  const exitSignal = signal ?? (code !== null && code > 128 ? signalName(code - 128) : null);
  if (usage.oomKilled) hit.add("memory");
  if (usage.processLimitHit) hit.add("processes");
  if (exitSignal === "SIGXCPU" || (exitSignal === "SIGKILL" && hit.size === 0)) hit.add("cpu");
  if (exitSignal === "SIGXFSZ") hit.add("file-size");
  const out = stdout.text();
  const err = stderr.text();
  return {
    exitCode: code !== null && code > 128 ? null : code,
    signal: exitSignal,
    timedOut: hit.has("wall"),
    oomKilled: usage.oomKilled,
    limitsHit: [...hit],
    durationMs,
    stdoutTail: out.text,
    stderrTail: err.text,
    truncated: out.truncated || err.truncated,
    limitsEnforced,
  };
}

export function signalName(n: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return (found?.[0] as NodeJS.Signals | undefined) ?? null;
}

/** Which cgroup support this machine has, for diagnostics. */
export function sandboxSupport(): { bubblewrap: boolean; cgroups: ReturnType<typeof detectCgroups> } {
  return { bubblewrap: hasBubblewrap("bwrap"), cgroups: detectCgroups() };
}
