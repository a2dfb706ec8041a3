import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ShellSession } from "../../src/pipeline/shell.js";
import { ansiC, openShellSession } from "../../src/sandbox/shell-session.js";

// The agent's shell: one bash in the bubblewrap sandbox per node, as Anthropic's bash tool expects it.
const sessions: ShellSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

function shell(extra: { commandTimeoutMs?: number; keepOutputBytes?: number; readOnly?: boolean } = {}) {
  const cwd = mkdtempSync(join(tmpdir(), "swarm-shell-"));
  mkdirSync(join(cwd, "src"));
  writeFileSync(join(cwd, "src/a.txt"), "inside\n");
  const session = openShellSession({ cwd, commandTimeoutMs: 5000, keepOutputBytes: 4000, ...extra });
  sessions.push(session);
  return session;
}

describe("a persistent shell in the sandbox", () => {
  it("keeps the working directory and exported variables between commands; restart gives a fresh one", async () => {
    const s = shell();
    expect(await s.run("pwd")).toMatchObject({ output: "/workspace\n", exitCode: 0 });
    await s.run("cd src && export COLOUR=blue && LOCAL=kept");
    expect((await s.run('pwd; cat a.txt; echo "$COLOUR $LOCAL"')).output).toBe(
      "/workspace/src\ninside\nblue kept\n",
    );
    await s.restart();
    expect((await s.run('pwd; echo "[$COLOUR]"')).output).toBe("/workspace\n[]\n");
  });

  it("mounts the working copy read-only when asked (the planner's look): reads work, writes fail, /tmp is writable", async () => {
    const s = shell({ readOnly: true });
    expect(await s.run("cat src/a.txt && ls src")).toMatchObject({ output: "inside\na.txt\n", exitCode: 0 });
    const write = await s.run("echo changed > src/a.txt");
    expect(write.exitCode).not.toBe(0);
    expect(write.output).toContain("Read-only file system");
    expect((await s.run("touch new.txt")).output).toContain("Read-only file system");
    expect((await s.run("cat src/a.txt")).output).toBe("inside\n");
    expect(await s.run("echo scratch > /tmp/x && cat /tmp/x")).toMatchObject({
      output: "scratch\n",
      exitCode: 0,
    });
  });

  it("joins stderr to stdout in order and gives the exit code; stdin is closed, so a read does not hang", async () => {
    const s = shell();
    const r = await s.run("echo one; echo two >&2; echo three; exit_code() { return 3; }; exit_code");
    expect(r).toMatchObject({ output: "one\ntwo\nthree\n", exitCode: 3, sessionEnded: false });
    expect(await s.run("read line; echo got:$line")).toMatchObject({ output: "got:\n", exitCode: 0 });
  });

  it("runs any text as one command: quotes, newlines, heredocs, and a syntax error is only that command's", async () => {
    const s = shell();
    const r = await s.run(`cat <<'EOF'\nit's "quoted" \\ and $NOT_EXPANDED\nEOF`);
    expect(r.output).toBe(`it's "quoted" \\ and $NOT_EXPANDED\n`);
    const bad = await s.run("if then fi");
    expect(bad.exitCode).not.toBe(0);
    expect(bad.output).toContain("syntax error");
    expect((await s.run("echo still here")).output).toBe("still here\n");
    expect(ansiC("a'b\\c\nd\te")).toBe("$'a\\'b\\\\c\\x0ad\\x09e'");
  });

  it("is not ended early by output that looks like the end marker, nor lost by a command that closes its stdout", async () => {
    const s = shell();
    const r = await s.run("printf '\\n__swarm_end_000000000000000000000000__ 0\\n'; echo after");
    expect(r.output).toContain("after");
    expect(r.exitCode).toBe(0);
    // A printf of the command's own does not speak for the shell.
    await s.run("printf() { echo spoofed; }");
    expect(await s.run("false")).toMatchObject({ exitCode: 1 });
    // Closing or redirecting its stdout ends the command's output, not the session's marker.
    expect(await s.run("exec 1>&-")).toMatchObject({ exitCode: 0, timedOut: false });
    await s.restart();
    expect(await s.run("exec >/dev/null; echo gone")).toMatchObject({ exitCode: 0, output: "" });
    await s.restart();
    expect((await s.run("echo back")).output).toBe("back\n");
  });

  it("kills a command past its time limit with everything it started, and the next command starts afresh", async () => {
    const s = shell({ commandTimeoutMs: 1000 });
    await s.run("export MARK=1");
    const started = Date.now();
    const r = await s.run("sleep 30 & sleep 30");
    expect(r).toMatchObject({ timedOut: true, exitCode: null, sessionEnded: true, limitsHit: ["wall"] });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await s.run('echo "alive [$MARK]"')).toMatchObject({ output: "alive []\n", exitCode: 0 });
  });

  it("reports a shell that exits, and starts a new one for the next command", async () => {
    const s = shell();
    expect(await s.run("exit 7")).toMatchObject({ exitCode: 7, sessionEnded: true });
    expect((await s.run("echo back")).output).toBe("back\n");
  });

  it("keeps the start and end of long output and says what it cut", async () => {
    const s = shell({ keepOutputBytes: 2000 });
    const r = await s.run("seq 1 5000");
    expect(r.output.startsWith("1\n2\n3\n")).toBe(true);
    expect(r.output.endsWith("4999\n5000\n")).toBe(true);
    expect(r.output).toMatch(/… \[\d+ bytes of output cut here: the start and end are kept\] …/);
    expect(r.cutBytes).toBeGreaterThan(20_000);
  });

  it("has no network, and the working copy's .git is read-only: history can be read, not written", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "swarm-shell-git-"));
    writeFileSync(join(cwd, "a.txt"), "one\n");
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "start");
    const s = openShellSession({ cwd, commandTimeoutMs: 5000, keepOutputBytes: 4000 });
    sessions.push(s);
    expect((await s.run("echo two >> a.txt; git status --short; git log --format=%s")).output).toBe(
      " M a.txt\nstart\n",
    );
    const hook = await s.run(
      "echo 'curl evil' > .git/hooks/pre-commit; git commit -qam sneaky 2>&1 | tail -1",
    );
    expect(hook.output).toContain("Read-only file system");
    expect(git("log", "--format=%s").toString().trim()).toBe("start");
    const net = await s.run(
      `node -e 'require("net").connect(80, "192.0.2.1").on("error", (e) => console.log(e.code)).on("connect", () => console.log("CONNECTED"))'`,
    );
    expect(net.output.trim()).toBe("ENETUNREACH");
  });
});
