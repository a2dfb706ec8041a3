import { SwarmError } from "../domain/errors.js";

/** bubblewrap is missing and the configuration did not opt out of isolation: refuse, never downgrade. */
export class SandboxUnavailableError extends SwarmError {
  constructor(reason: string) {
    super("sandbox-unavailable", "tell-user", {
      problem: `swarm cannot isolate the repository's commands: ${reason}.`,
      fix: "Install bubblewrap where swarm runs (apt-get install -y bubblewrap, or dnf install bubblewrap). On a runner that is already isolated and holds no secrets, such as a GitHub Actions VM, set sandbox.mode: none in .github/swarm.yml instead.",
    });
  }
}
