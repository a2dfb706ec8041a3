import { sanitizeUntrustedText } from "../spec/sanitize-untrusted-text.js";

export const COMMAND_VERBS = [
  "plan",
  "replan",
  "approve",
  "revise",
  "status",
  "retry",
  "cancel",
  "help",
] as const;
export type CommandVerb = (typeof COMMAND_VERBS)[number];

export type SwarmCommand = { verb: CommandVerb; args: string } | { verb: "unknown"; word: string };

/**
 * A `/swarm <verb> [args]` command, when the comment starts with one (after hidden text is removed, so a
 * command cannot hide in an HTML comment). Anything else in a comment is conversation, not a command.
 */
export function parseCommand(body: string): SwarmCommand | null {
  const text = sanitizeUntrustedText(body).trimStart();
  const m = /^\/swarm(?:\s+(\S+))?([\s\S]*)$/i.exec(text);
  if (!m) return null;
  const word = (m[1] ?? "help").toLowerCase();
  const args = (m[2] ?? "").trim();
  return (COMMAND_VERBS as readonly string[]).includes(word)
    ? { verb: word as CommandVerb, args }
    : { verb: "unknown", word };
}

export const COMMAND_HELP = [
  "| Command | What it does |",
  "| --- | --- |",
  "| `/swarm plan` | Plans the issue as a dry run: the dashboard shows the plan; no sub-issues, no code. |",
  "| `/swarm replan` | Cancels the run's pending work and plans the issue again; what follows the command (`/swarm replan <what to change>`) goes to the planner as feedback. |",
  "| `/swarm approve` | Starts coding a plan that waits for approval (or tick the box on the dashboard). |",
  "| `/swarm revise <feedback>` | Sends feedback to the nodes it concerns (on the PR, a review line or the issue). |",
  "| `/swarm status` | Refreshes the dashboard. |",
  "| `/swarm retry [node]` | Retries failed nodes, or one node. |",
  "| `/swarm cancel` | Stops the run: queued nodes are dropped, running nodes stop at their next turn. |",
  "| `/swarm help` | Shows this table. |",
].join("\n");
