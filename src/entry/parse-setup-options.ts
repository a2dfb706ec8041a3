import { InputError } from "../domain/errors.js";

/**
 * `swarm setup`'s --url and --port, checked before anything starts or is written: the URL is where GitHub
 * will send webhooks, so only http(s) with a host will do; the port is a TCP port the setup page listens on.
 */
export function parseSetupOptions(options: { url: string; port: string }): { url: URL; port: number } {
  const urlFix =
    "pass --url the public address where `swarm server` will listen, such as https://swarm.example.com";
  const given = options.url.trim();
  if (given === "") throw new InputError({ problem: "--url is empty.", fix: urlFix });
  const url = URL.canParse(given) ? new URL(given) : null;
  if (!url) throw new InputError({ problem: `--url "${given}" is not a URL.`, fix: urlFix });
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InputError({
      problem: `--url "${given}" uses ${url.protocol}, but GitHub sends webhooks only over https (or http).`,
      fix: urlFix,
    });
  if (url.hostname === "")
    throw new InputError({ problem: `--url "${given}" has no host name.`, fix: urlFix });

  const port = /^\d+$/.test(options.port.trim()) ? Number(options.port.trim()) : Number.NaN;
  if (!(port >= 1 && port <= 65_535))
    throw new InputError({
      problem: `--port "${options.port}" is not a port (a whole number from 1 to 65535).`,
      fix: "pass --port a free local port such as 3000 (the default), or leave it out",
    });
  return { url, port };
}
