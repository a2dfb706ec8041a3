/** One command's result in an agent's shell. */
export type ShellRun = {
  /** The command's output (stdout and stderr together, as a terminal shows them), start and end kept. */
  output: string;
  /** Null when the command did not finish: killed at its time limit, or the shell itself ended. */
  exitCode: number | null;
  timedOut: boolean;
  /** The shell ended during the command (it ran `exit`, or a limit killed it); the next command starts a new one. */
  sessionEnded: boolean;
  limitsHit: string[];
  durationMs: number;
  /** Bytes of output left out of `output`, 0 when it is all there. */
  cutBytes: number;
};

/** A persistent shell in the node's sandbox: `cd` and `export` carry over between commands. */
export type ShellSession = {
  run(command: string): Promise<ShellRun>;
  /** Ends the session; the next command starts a fresh one at the working copy. */
  restart(): Promise<void>;
  close(): Promise<void>;
};
