import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { UnsafeEnvError } from "../../src/sandbox/bubblewrap-args.js";
import { runSandboxed } from "../../src/sandbox/run-sandboxed.js";
import type { SandboxRequest } from "../../src/sandbox/sandbox-types.js";

// Each test attacks the sandbox the way model-written code could, and names what it tried.
let work: string;
let other: string;
beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), "swarm-sandbox-"));
  work = join(root, "work");
  other = join(root, "other-working-copy");
  mkdirSync(work);
  mkdirSync(other);
  writeFileSync(join(other, "secret.txt"), "another node's code");
  writeFileSync(join(work, "mine.txt"), "my code");
});

const run = (command: string, extra: Partial<SandboxRequest> = {}) =>
  runSandboxed({ cwd: work, command, ...extra });
const node = (script: string) => `node -e ${JSON.stringify(script)}`;

describe("network", () => {
  it("tried: connect to Redis on the host's 127.0.0.1:6379", async () => {
    const r = await run(
      node(
        `require("net").connect(6379, "127.0.0.1").on("connect", () => console.log("CONNECTED")).on("error", (e) => console.log(e.code))`,
      ),
    );
    expect(r.stdoutTail.trim()).toBe("ECONNREFUSED");
  });

  it("tried: reach any outside address (there is no route, so nothing can leave)", async () => {
    // First prove there is no interface but loopback and no route; only then try a TEST-NET-1 address.
    const r = await run(
      `cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; echo ---; cat /proc/net/route | tail -n +2 | wc -l; ${node(`require("net").connect(80, "192.0.2.1").on("connect", () => console.log("CONNECTED")).on("error", (e) => console.log(e.code))`)}`,
    );
    const [interfaces, rest] = r.stdoutTail.split("---\n");
    expect(interfaces?.trim().split("\n")).toEqual(["lo"]);
    expect(rest?.trim().split("\n")).toEqual(["0", "ENETUNREACH"]);
  });

  it("tried: resolve a registry's name without the install step's network", async () => {
    const r = await run(
      node(`require("dns").lookup("registry.npmjs.org", (e) => console.log(e ? e.code : "RESOLVED"))`),
    );
    expect(r.stdoutTail.trim()).toMatch(/^(EAI_AGAIN|ENOTFOUND)$/);
  });
});

describe("files", () => {
  it("tried: write outside the working copy (system, /etc, the repository's parent)", async () => {
    const r = await run(
      `for f in /usr/evil /etc/evil /workspace/../evil /evil; do (echo x > "$f") 2>/dev/null && echo "WROTE $f" || echo "denied $f"; done; echo ok > /workspace/inside.txt && echo "wrote inside"`,
    );
    expect(r.stdoutTail.trim().split("\n")).toEqual([
      "denied /usr/evil",
      "denied /etc/evil",
      "denied /workspace/../evil",
      "denied /evil",
      "wrote inside",
    ]);
    expect(readFileSync(join(work, "inside.txt"), "utf8")).toBe("ok\n");
    expect(() => readFileSync(join(work, "..", "evil"))).toThrow();
  });

  it("tried: read /root, SSH keys and the host's home", async () => {
    const r = await run("ls /root /root/.ssh /home 2>&1; cat /etc/shadow 2>&1 | head -1");
    expect(r.stdoutTail).toMatch(/\/root.*No such file or directory/);
    expect(r.stdoutTail).toMatch(/\/home.*No such file or directory/);
    expect(r.stdoutTail).toMatch(/shadow.*No such file or directory/);
  });

  it("tried: read the worker's environment through /proc, and another working copy", async () => {
    const r = await run(
      `cat /proc/1/environ | tr '\\0' '\\n' | grep -c TOKEN; ls ${other} 2>&1; ls /proc | grep -cE '^[0-9]+$'`,
    );
    const [tokens, otherCopy, processes] = r.stdoutTail.trim().split("\n");
    expect(tokens).toBe("0");
    expect(otherCopy).toMatch(/No such file or directory/);
    expect(Number(processes)).toBeLessThan(10); // its own pid namespace: only the sandbox's processes
  });

  it("tried: escape through symlinks planted in the working copy", async () => {
    symlinkSync(join(other, "secret.txt"), join(work, "to-other"));
    symlinkSync("/root/.bash_history", join(work, "to-root"));
    symlinkSync(other, join(work, "to-other-dir"));
    const r = await run(
      "cat to-other 2>&1; cat to-root 2>&1; echo pwned > to-other-dir/new.txt 2>&1 || echo 'write denied'",
    );
    expect(r.stdoutTail).not.toContain("another node's code");
    expect(r.stdoutTail).toMatch(/to-other: No such file or directory/);
    expect(r.stdoutTail).toContain("write denied");
    expect(() => readFileSync(join(other, "new.txt"))).toThrow();
  });

  it("runs as an unprivileged user with no capabilities", async () => {
    const r = await run("id -u; grep CapEff /proc/self/status");
    expect(r.stdoutTail.trim().split("\n")).toEqual(["1000", "CapEff:\t0000000000000000"]);
  });
});

describe("secrets", () => {
  it("tried: read GITHUB_TOKEN and ANTHROPIC_API_KEY set in the worker", async () => {
    process.env.GITHUB_TOKEN = "ghs_workersecret0000000000000000000000";
    process.env.ANTHROPIC_API_KEY = "sk-ant-workersecret";
    try {
      const r = await run("env");
      expect(r.stdoutTail).not.toContain("workersecret");
      expect(r.stdoutTail).not.toMatch(/GITHUB_TOKEN|ANTHROPIC_API_KEY/);
    } finally {
      delete process.env.GITHUB_TOKEN;
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  it("refuses to pass a variable that looks like a secret", async () => {
    await expect(run("env", { env: { GITHUB_TOKEN: "x" } })).rejects.toThrow(UnsafeEnvError);
    await expect(run("env", { env: { NPM_AUTH_TOKEN: "x" } })).rejects.toThrow(
      "refusing to pass NPM_AUTH_TOKEN into the sandbox",
    );
  });
});

describe("resources", () => {
  it("tried: a fork bomb", async () => {
    // (dash will not redefine the `:` builtin, so the classic one-liner uses a named function here.)
    const r = await run("bomb() { bomb | bomb & }; bomb; sleep 5", {
      limits: { processes: 64, wallMs: 3000 },
    });

    expect(r.limitsHit).toContain("processes");
    expect(r.durationMs).toBeLessThan(10_000);
  });

  it("tried: a memory hog", async () => {
    const r = await run(node("const a = []; for (;;) a.push(Buffer.alloc(1e7, 1))"), {
      limits: { memoryBytes: 256 * 1024 * 1024 },
    });
    expect(r).toMatchObject({ oomKilled: true, signal: "SIGKILL", exitCode: null });
    expect(r.limitsHit).toEqual(["memory"]);
  });

  it("tried: a CPU loop", async () => {
    const r = await run("while :; do :; done", { limits: { cpuSeconds: 1 } });
    expect(r.limitsHit).toEqual(["cpu"]);
    expect(r.signal).toBe("SIGXCPU");
  });

  it("tried: sleeping past the wall-clock limit, with a child left behind", async () => {
    // Durations of this run's own, so a sleeper that some other process left on the host is not taken for it.
    const secs = `${300 + Math.floor(Math.random() * 600)}.${process.pid}`;
    const r = await run(`sleep ${secs} & sleep ${secs}1`, { limits: { wallMs: 500 } });
    expect(r).toMatchObject({ timedOut: true, limitsHit: ["wall"] });
    expect(r.durationMs).toBeLessThan(3000);
    // Everything died with the sandbox: no sleeper is left on the host.
    // Listed with their state and parent, so a failure shows what was left and why (CI saw one once).
    const left = execFileSync("ps", ["-eo", "pid,ppid,stat,etimes,args"], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.endsWith(` sleep ${secs}`) || line.endsWith(` sleep ${secs}1`));
    expect(left).toEqual([]);
  });

  it("tried: printing 1 GB of output", async () => {
    const r = await run("yes swarm-output-line | head -c 1000000000", {
      limits: { outputBytes: 1024 * 1024 },
    });
    expect(r.limitsHit).toEqual(["output"]);
    expect(r.truncated).toBe(true);
    expect(r.stdoutTail.length).toBeLessThan(300 * 1024);
    expect(r.stdoutTail.startsWith("swarm-output-line\n")).toBe(true);
    expect(r.stdoutTail).toMatch(/… \[\d+ bytes cut\] …/);
  });

  it("tried: writing a file past the size limit", async () => {
    const r = await run("head -c 10000000 /dev/zero > big.bin", { limits: { fileBytes: 1024 * 1024 } });
    expect(r.limitsHit).toEqual(["file-size"]);
  });

  it("reports how each limit was enforced on this machine", async () => {
    const r = await run("true");
    expect(r.exitCode).toBe(0);
    expect(Object.keys(r.limitsEnforced).sort()).toEqual([
      "cpu",
      "file-size",
      "memory",
      "output",
      "processes",
      "wall",
    ]);
    expect(r.limitsEnforced.memory).toMatch(/^(cgroup-v1|cgroup-v2|rlimit-as)$/);
  });
});
