/** The name of swarm's own check run on a PR's head: where the run stands, never green before the checks. */
export const SWARM_CHECK = "swarm";
