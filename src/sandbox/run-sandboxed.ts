import { execFileSync, spawn } from "node:child_process";
import { constants } from "node:os";
import { bubblewrapArgs, sandboxEnv } from "./bubblewrap-args.js";
import { createCgroup, detectCgroups } from "./cgroups.js";
import { createOutputCapture } from "./output-capture.js";
import { DEFAULT_LIMITS, type LimitName, type SandboxRequest, type SandboxResult } from "./sandbox-types.js";
import { SandboxUnavailableError } from "./sandbox-unavailable-error.js";

const found = new Map<string, boolean>();

function hasBubblewrap(binary: string): boolean {
  let ok = found.get(binary);
  if (ok === undefined) {
    try {
      execFileSync(binary, ["--version"], { stdio: "ignore" });
      ok = true;
    } catch {
      ok = false;
    }
    found.set(binary, ok);
  }
  return ok;
}

export type SandboxOptions = {
  /** Where a warning goes that must not be missed (running without isolation). */
  warn?: (message: string) => void;
  /** The bubblewrap binary (tests point it at a missing one). */
  bwrap?: string;
};

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
  const limits = { ...DEFAULT_LIMITS, ...request.limits };
  const mode = request.mode ?? "bubblewrap";
  const warn = options.warn ?? ((m: string) => process.stderr.write(`WARNING: ${m}\n`));
  const bwrap = options.bwrap ?? "bwrap";
  if (mode === "bubblewrap" && !hasBubblewrap(bwrap)) {
    throw new SandboxUnavailableError(`bubblewrap (${bwrap}) is not installed`);
  }
  if (mode === "none")
    warn(
      `sandbox.mode is none: running "${String(request.command)}" without isolation, with the worker's own filesystem and network.`,
    );

  const env = sandboxEnv(request.env ?? {}, request.network ?? false, process.env);
  const command = typeof request.command === "string" ? ["sh", "-c", request.command] : [...request.command];
  const isolated =
    mode === "bubblewrap"
      ? [bwrap, ...bubblewrapArgs(request.cwd, env, request.network ?? false), "--", ...command]
      : command;
  const cgroup = createCgroup(limits.memoryBytes, limits.processes);
  // A soft CPU limit a second below the hard one, so the command gets SIGXCPU (telling) before SIGKILL.
  const rlimits = [
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--fsize=${limits.fileBytes}`,
    "--core=0",
  ];
  if (cgroup.kind === "none") rlimits.push(`--as=${limits.memoryBytes}`);
  const limited = ["prlimit", ...rlimits, "--", ...isolated];
  // Joining the cgroups first, so everything the command starts is counted and limited with it.
  const argv =
    cgroup.procsFiles.length > 0
      ? [
          "sh",
          "-c",
          `for f in ${cgroup.procsFiles.join(" ")}; do echo $$ > "$f"; done && exec "$@"`,
          "sh",
          ...limited,
        ]
      : limited;

  const started = performance.now();
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: mode === "none" ? request.cwd : "/",
    env: mode === "none" ? env : { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    detached: true, // its own process group, so the whole tree can be killed at once
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout = createOutputCapture(Math.min(limits.outputBytes, 256 * 1024));
  const stderr = createOutputCapture(Math.min(limits.outputBytes, 256 * 1024));
  const hit = new Set<LimitName>();
  const killTree = () => {
    try {
      process.kill(-(child.pid ?? 0), "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  const onOutput = (capture: ReturnType<typeof createOutputCapture>) => (chunk: Buffer) => {
    capture.push(chunk);
    if (stdout.total + stderr.total > limits.outputBytes && !hit.has("output")) {
      hit.add("output");
      killTree();
    }
  };
  child.stdout.on("data", onOutput(stdout));
  child.stderr.on("data", onOutput(stderr));
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
  const memoryBy = cgroup.kind === "none" ? "rlimit-as" : cgroup.kind;
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
    limitsEnforced: {
      wall: "timer, kills the process group",
      cpu: "prlimit",
      memory: memoryBy,
      processes: cgroup.kind === "none" ? "none (prlimit --nproc does not bind root)" : cgroup.kind,
      "file-size": "prlimit",
      output: "capture, kills past the limit",
    },
  };
}

function signalName(n: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return (found?.[0] as NodeJS.Signals | undefined) ?? null;
}

/** Which cgroup support this machine has, for diagnostics. */
export function sandboxSupport(): { bubblewrap: boolean; cgroups: ReturnType<typeof detectCgroups> } {
  return { bubblewrap: hasBubblewrap("bwrap"), cgroups: detectCgroups() };
}
