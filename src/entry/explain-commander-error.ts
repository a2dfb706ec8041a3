import type { Command } from "commander";

/**
 * Commander's error (`error: unknown option '--x'`, with its `(Did you mean …?)`) in swarm's form: the command,
 * the problem, and a fix that names the help to read. Plain text for stderr.
 */
export function explainCommanderError(cmd: Command, text: string): string {
  const name = commandPath(cmd);
  const [first = "", ...rest] = text
    .replace(/^error: /, "")
    .trim()
    .split("\n");
  const problem = first.replace(/\.$/, "");
  const suggestion = /\(Did you mean (.+?)\?\)/.exec(rest.join(" "))?.[1];
  const help = `${name} --help`;
  const required = /^required option '([^']+)'/.exec(problem)?.[1];
  const argument = /^missing required argument '([^']+)'/.exec(problem)?.[1];
  const value = /^option '([^']+)' argument missing/.exec(problem)?.[1];
  const fix = required
    ? `add ${required}; ${help} lists the options`
    : value
      ? `give ${value} its value; ${help} lists the options`
      : argument
        ? `give the ${argument}; ${help} shows how`
        : problem.startsWith("unknown command")
          ? `${suggestion ? `did you mean ${name} ${suggestion}? ` : ""}${help} lists the commands`
          : problem.startsWith("unknown option")
            ? `${suggestion ? `did you mean ${suggestion}? ` : ""}${help} lists the options`
            : `${help} shows how to use it`;
  return `${name}: ${problem}\n    fix: ${fix}\n`;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
