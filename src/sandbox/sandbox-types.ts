import type { RepoConfig } from "../domain/config/repo-config.js";

export type SandboxLimits = {
  wallMs: number;
  cpuSeconds: number;
  memoryBytes: number;
  processes: number;
  fileBytes: number;
  outputBytes: number;
};

export type LimitName = "wall" | "cpu" | "memory" | "processes" | "file-size" | "output";

/** A host folder made visible inside the sandbox (a download cache for installs, say). */
export type SandboxBind = { host: string; sandbox: string; writable: boolean };

export type SandboxRequest = {
  /** The working copy: the only place the command may write. */
  cwd: string;
  /** The working copy mounted read-only too (the planner's look at the repository): nothing may be written but /tmp. */
  readOnly?: boolean;
  /** Run through `sh -c` when a string; executed directly when an argument list. */
  command: string | readonly string[];
  /** Extra variables. Nothing else of the host's environment is passed. */
  env?: Readonly<Record<string, string>>;
  limits?: Partial<SandboxLimits>;
  /** Only for installing dependencies: the registry is reachable, nothing else changes. */
  network?: boolean;
  mode?: "bubblewrap" | "none";
  binds?: readonly SandboxBind[];
  /** Output kept per stream, its start and end (default 256 KiB); never more than limits.outputBytes. */
  keepOutputBytes?: number;
};

export type SandboxResult = {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  oomKilled: boolean;
  /** Every limit that stopped or throttled the command. */
  limitsHit: LimitName[];
  durationMs: number;
  stdoutTail: string;
  stderrTail: string;
  truncated: boolean;
  /** How each limit was enforced on this machine, or "none" when it could not be. */
  limitsEnforced: Record<LimitName, string>;
};

export const DEFAULT_LIMITS: SandboxLimits = {
  wallMs: 600_000,
  cpuSeconds: 600,
  memoryBytes: 4096 * 1024 * 1024,
  processes: 512,
  fileBytes: 1024 * 1024 * 1024,
  outputBytes: 8192 * 1024,
};

export function limitsFromConfig(sandbox: RepoConfig["sandbox"]): SandboxLimits {
  return {
    wallMs: sandbox.wallSeconds * 1000,
    cpuSeconds: sandbox.cpuSeconds,
    memoryBytes: sandbox.memoryMb * 1024 * 1024,
    processes: sandbox.processes,
    fileBytes: sandbox.fileMb * 1024 * 1024,
    outputBytes: sandbox.outputKb * 1024,
  };
}
