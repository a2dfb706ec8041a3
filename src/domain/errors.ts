// Every failure swarm expects carries its decision: retry the job, fail the node, or tell the user.
// The message always names the problem and the fix, so one place can turn any of them into a comment.

export type ErrorDecision = "retry" | "fail-node" | "tell-user";

export type ErrorInit = {
  problem: string;
  fix: string;
  details?: readonly string[];
  cause?: unknown;
};

export class SwarmError extends Error {
  readonly problem: string;
  readonly fix: string;
  readonly details: readonly string[];

  constructor(
    readonly code: string,
    readonly decision: ErrorDecision,
    init: ErrorInit,
  ) {
    super(`${init.problem} ${init.fix}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.problem = init.problem;
    this.fix = init.fix;
    this.details = init.details ?? [];
  }
}

/** `.github/swarm.yml` is invalid. */
export class ConfigError extends SwarmError {
  constructor(init: ErrorInit) {
    super("invalid-config", "tell-user", init);
  }
}

/** The spec issue cannot be planned from (empty, or no goal). */
export class SpecError extends SwarmError {
  constructor(init: ErrorInit) {
    super("unusable-spec", "tell-user", init);
  }
}

/** A plan broke the DAG rules and could not be repaired. */
export class PlanError extends SwarmError {
  constructor(init: ErrorInit) {
    super("invalid-plan", "tell-user", init);
  }
}

/** The next model call would go past a run's token or USD limit. */
export class BudgetExceededError extends SwarmError {
  constructor(init: ErrorInit) {
    super("budget-exceeded", "tell-user", init);
  }
}

/** A model was used that the price table does not know, so its cost cannot be counted. */
export class UnknownPriceError extends SwarmError {
  constructor(init: ErrorInit) {
    super("unknown-price", "tell-user", init);
  }
}

/** A state change the state machine forbids: a bug in swarm, so the node fails rather than loops. */
export class IllegalTransitionError extends SwarmError {
  constructor(init: ErrorInit) {
    super("illegal-transition", "fail-node", init);
  }
}

/** A fault that may pass (rate limit, overload, reset connection): the job is retried. */
export class TransientError extends SwarmError {
  constructor(init: ErrorInit) {
    super("transient", "retry", init);
  }
}

/** Anything that is not a SwarmError is a bug: fail the node, do not retry it blindly. */
export function decisionFor(error: unknown): ErrorDecision {
  return error instanceof SwarmError ? error.decision : "fail-node";
}

/** Two node branches conflicted when merged, and the integrator agent could not resolve it. */
export class IntegrationConflictError extends SwarmError {
  constructor(
    readonly nodeId: string,
    readonly files: readonly string[],
  ) {
    super("integration-conflict", "tell-user", {
      problem: `Merging node \`${nodeId}\` into the integration branch conflicts in ${files.map((f) => `\`${f}\``).join(", ")}, and the integrator agent could not resolve it.`,
      fix: "Nodes should own separate files, so this is worth a look: resolve the conflict on the node branches by hand and comment `/swarm retry`, or `/swarm replan` to plan again.",
    });
  }
}

/**
 * Something the user gave swarm on the command line or in the environment is unusable (a folder that is
 * not a repository, a spec that is binary, a trace that is damaged). The CLI exits 2 on it.
 */
export class InputError extends SwarmError {
  constructor(init: ErrorInit) {
    super("bad-input", "tell-user", init);
  }
}

/** The codes of errors about what the user gave, not about the run: the CLI exits 2 on them. */
export const BAD_INPUT_CODES: ReadonlySet<string> = new Set([
  "bad-input",
  "invalid-config",
  "unusable-spec",
  "model-replay-miss",
]);
