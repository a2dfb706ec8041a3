import { randomBytes } from "node:crypto";
import type { ShellRun, ShellSession } from "../pipeline/shell.js";
import { createOutputCapture } from "./output-capture.js";
import { stripAnsi } from "./parse/structured-failure.js";
import { type SandboxOptions, type SandboxProcess, spawnSandboxed } from "./sandbox-process.js";
import type { LimitName, SandboxRequest } from "./sandbox-types.js";

export type ShellSessionOptions = Omit<SandboxRequest, "command" | "network"> & {
  /** Wall-clock limit of one command; past it the session is killed and the next command starts afresh. */
  commandTimeoutMs: number;
  /** Output kept per command (its start and end); the rest is counted and said. */
  keepOutputBytes: number;
};

/**
 * A persistent bash in the node's sandbox, as Anthropic's bash tool expects: one process for the session,
 * so `cd` and `export` carry over between commands. Each command is sent to bash's stdin as an ANSI-C quoted
 * string and `eval`ed with stdin closed and stderr joined to stdout, followed by an end marker with a random
 * nonce and the exit code on a descriptor the command does not have. (A command can still reach the shell's
 * own state; what ownership depends on is checked again when the node ends, with the shell closed.) A
 * command past its limit, or one that prints past the output limit, kills the whole sandbox; the next
 * command starts a new session.
 */
export function openShellSession(options: ShellSessionOptions, sandbox: SandboxOptions = {}): ShellSession {
  let current: Live | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const end = async () => {
    const live = current;
    current = null;
    if (live) await live.stop();
  };
  return {
    run: (command) =>
      serial(async () => {
        current ??= start(options, sandbox);
        const result = await current.run(command);
        if (result.sessionEnded) await end();
        return result;
      }),
    restart: () => serial(end),
    close: () => serial(end),
  };
}

type Live = { run(command: string): Promise<ShellRun>; stop(): Promise<void> };

function start(options: ShellSessionOptions, sandbox: SandboxOptions): Live {
  const proc: SandboxProcess = spawnSandboxed(
    {
      ...options,
      command: ["bash", "--noprofile", "--norc"],
      env: { PS1: "", PS2: "", ...options.env },
    },
    { ...sandbox, stdin: "pipe" },
  );
  const { child, limits } = proc;
  let exited: { code: number | null } | null = null;
  const closed = new Promise<{ code: number | null }>((resolve) => {
    child.on("close", (code) => {
      exited = { code };
      resolve(exited);
    });
    child.on("error", () => {
      exited = { code: null };
      resolve(exited);
    });
  });
  child.stdin?.on("error", () => undefined); // writing to a shell that just died
  child.stdin?.write("exec 9>&1\n");
  let onData: (chunk: Buffer, stream: "out" | "err") => void = () => undefined;
  child.stdout?.on("data", (c: Buffer) => onData(c, "out"));
  child.stderr?.on("data", (c: Buffer) => onData(c, "err"));

  return {
    async stop() {
      proc.killTree();
      await closed;
      await proc.cgroup.remove();
    },
    run(command) {
      const started = performance.now();
      const nonce = randomBytes(12).toString("hex");
      const marker = Buffer.from(`\n__swarm_end_${nonce}__ `);
      const capture = createOutputCapture(options.keepOutputBytes);
      let pending = Buffer.alloc(0);
      let total = 0;
      const hit = new Set<LimitName>();
      return new Promise<ShellRun>((resolve) => {
        let settled = false;
        const finish = (exitCode: number | null, sessionEnded: boolean) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          onData = () => undefined;
          if (pending.length > 0) capture.push(pending);
          // The session's cgroup counts for all its commands: after a limit hit, the next command starts afresh.
          const usage = proc.cgroup.read();
          if (usage.oomKilled) hit.add("memory");
          if (usage.processLimitHit) hit.add("processes");
          const kept = capture.text();
          resolve({
            output: stripAnsi(kept.text).replace(
              /… \[(\d+) bytes cut\] …/,
              "… [$1 bytes of output cut here: the start and end are kept] …",
            ),
            exitCode,
            timedOut: hit.has("wall"),
            sessionEnded: sessionEnded || hit.size > 0,
            limitsHit: [...hit],
            durationMs: performance.now() - started,
            cutBytes: kept.cutBytes,
          });
        };
        const kill = (limit: LimitName) => {
          hit.add(limit);
          proc.killTree();
        };
        const timer = setTimeout(() => kill("wall"), options.commandTimeoutMs);
        onData = (chunk, stream) => {
          total += chunk.length;
          if (total > limits.outputBytes && !hit.has("output")) kill("output");
          if (stream === "err") {
            capture.push(chunk); // bash's own complaints; the command's stderr is joined to stdout
            return;
          }
          pending = Buffer.concat([pending, chunk]);
          const at = pending.indexOf(marker);
          if (at >= 0) {
            const rest = pending.subarray(at + marker.length).toString("utf8");
            const code = /^(\d+)\n/.exec(rest);
            if (!code) return; // the exit code has not arrived yet
            capture.push(pending.subarray(0, at));
            pending = Buffer.alloc(0);
            finish(Number(code[1]), false);
            return;
          }
          // Keep back what could be the start of the marker; the rest is output.
          const keep = Math.min(pending.length, marker.length + 8);
          capture.push(pending.subarray(0, pending.length - keep));
          pending = pending.subarray(pending.length - keep);
        };
        // The shell itself ended: the command ran `exit N` (its code is the shell's), or a kill.
        const ended = ({ code }: { code: number | null }) =>
          finish(hit.size === 0 && code !== null && code <= 128 ? code : null, true);
        void closed.then(ended);
        if (exited) return ended(exited);
        // The command runs without fd 9, the end marker goes to fd 9 (the session's stdout, kept at start), so
        // a command that closes or redirects its stdout, or defines a printf, cannot lose or fake the marker.
        child.stdin?.write(
          `{ eval ${ansiC(command)}\n} </dev/null 9>&- 2>&1\nbuiltin printf '\\n__swarm_end_%s__ %s\\n' ${nonce} "$?" >&9\n`,
        );
      });
    },
  };
}

/** Bash's $'…' quoting: any text becomes one word, newlines and quotes included (NUL cannot be in a word). */
export function ansiC(text: string): string {
  const body = text
    .replaceAll("\0", "")
    .replace(/[\\']/g, (c) => `\\${c}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this escapes.
    .replace(/[\x01-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `$'${body}'`;
}
