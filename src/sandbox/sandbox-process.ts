import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { bubblewrapArgs, sandboxEnv } from "./bubblewrap-args.js";
import { type Cgroup, createCgroup } from "./cgroups.js";
import { DEFAULT_LIMITS, type LimitName, type SandboxLimits, type SandboxRequest } from "./sandbox-types.js";
import { SandboxUnavailableError } from "./sandbox-unavailable-error.js";

const found = new Map<string, boolean>();

/** The process groups of the sandboxed commands running now (each is its own group, out of Ctrl-C's reach). */
const running = new Set<number>();

/**
 * Kills every sandboxed command still running, at once. For a process that is exiting however it exits
 * (a second Ctrl-C): its sandboxes are in process groups of their own, which the terminal's signal misses.
 */
export function killAllSandboxes(): void {
  for (const group of running) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  running.clear();
}

export function hasBubblewrap(binary: string): boolean {
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

export type SandboxProcess = {
  child: ChildProcess;
  limits: SandboxLimits;
  cgroup: Cgroup;
  /** Kills everything the command started (its process group; the sandbox's pid namespace with it). */
  killTree(): void;
  limitsEnforced: Record<LimitName, string>;
};

/**
 * Starts an untrusted command in the working copy `request.cwd`: isolated by bubblewrap (no network unless
 * installing, a read-only system, no host environment), in cgroups for memory and processes, under prlimit
 * for CPU time and file size. The caller reads its output and enforces the wall clock; `stdin: "pipe"` keeps
 * it open for a shell session.
 */
export function spawnSandboxed(
  request: SandboxRequest,
  options: SandboxOptions & { stdin?: "ignore" | "pipe" } = {},
): SandboxProcess {
  const limits = { ...DEFAULT_LIMITS, ...request.limits };
  const mode = request.mode ?? "bubblewrap";
  const warn = options.warn ?? ((m: string) => process.stderr.write(`WARNING: ${m}\n`));
  const bwrap = options.bwrap ?? "bwrap";
  if (mode === "bubblewrap" && !hasBubblewrap(bwrap)) {
    throw new SandboxUnavailableError(`bubblewrap (${bwrap}) is not installed`);
  }
  // Without bubblewrap nothing can be mounted read-only: a caller that needs it must not get a shell.
  if (mode === "none" && request.readOnly)
    throw new Error("a read-only working copy needs sandbox.mode bubblewrap");
  if (mode === "none")
    warn(
      `sandbox.mode is none: running "${String(request.command)}" without isolation, with the worker's own filesystem and network.`,
    );

  const env = sandboxEnv(request.env ?? {}, request.network ?? false, process.env);
  const command = typeof request.command === "string" ? ["sh", "-c", request.command] : [...request.command];
  const isolated =
    mode === "bubblewrap"
      ? [
          bwrap,
          ...bubblewrapArgs(
            request.cwd,
            env,
            request.network ?? false,
            request.binds ?? [],
            request.readOnly ?? false,
          ),
          "--",
          ...command,
        ]
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

  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: mode === "none" ? request.cwd : "/",
    env: mode === "none" ? env : { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    detached: true, // its own process group, so the whole tree can be killed at once
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
  });
  const group = child.pid;
  if (group !== undefined) {
    running.add(group);
    child.once("exit", () => running.delete(group));
  }
  const memoryBy = cgroup.kind === "none" ? "rlimit-as" : cgroup.kind;
  return {
    child,
    limits,
    cgroup,
    killTree: () => {
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        /* already gone */
      }
    },
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
