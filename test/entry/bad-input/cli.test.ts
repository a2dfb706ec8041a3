import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userRepo, userState } from "../../support/user-repo.js";

// Bad input to the real CLI (bin/swarm.js over the build test/support/build-once.ts made): each answer is
// the exit code the README gives, the problem and its fix in plain text, and never a stack trace.
const bin = resolve(import.meta.dirname, "../../../bin/swarm.js");
const dir = mkdtempSync(join(tmpdir(), "swarm-bad-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function swarm(args: string[], cwd = dir) {
  const run = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 15_000,
    env: { PATH: process.env.PATH ?? "", HOME: dir },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** No stack trace, no Markdown: what a person reads on a terminal. */
function expectPlain(text: string) {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toMatch(/node:internal|Node\.js v\d+|Unhandled|\*\*/);
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("swarm sandbox keeps the words after --", () => {
  const repo = userRepo();

  it("passes sh -c 'echo one two' as three words, so the program prints one two", () => {
    const before = userState(repo);
    const r = swarm(["sandbox", "--cwd", repo, "--", "sh", "-c", "echo one two"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("$ sh -c 'echo one two'\n");
    expect(r.stdout).toContain("--- stdout ---\none two\n");
    expect(r.stderr).toBe("");
    expect(userState(repo)).toBe(before);
  });

  it("keeps spaces, quotes, $ and an empty word exactly as given", () => {
    const r = swarm(["sandbox", "--cwd", repo, "--", "printf", "[%s]", "a  b", "it's", "$HOME", '"q"', ""]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--- stdout ---\n[a  b][it's][$HOME]["q"][]\n`);
    expectPlain(r.stderr);
  });

  it("runs one word as a shell command line, as validation.commands are", () => {
    const r = swarm(["sandbox", "--cwd", repo, "--", "echo first && echo second"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--- stdout ---\nfirst\nsecond\n");
  });

  it("says a program that is not there is not found, with its name and a fix, and exits 127", () => {
    const before = userState(repo);
    const r = swarm(["sandbox", "--cwd", repo, "--", "no-such-program-x", "--flag"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain("swarm sandbox: command not found: no-such-program-x (exit 127)\n");
    expect(r.stderr).toMatch(/\n {4}fix: check its spelling; .*npx/);
    expectPlain(r.stderr);
    expect(userState(repo)).toBe(before);
  });

  it("names the program the shell could not find inside a command line", () => {
    const r = swarm(["sandbox", "--cwd", repo, "--", "sh", "-c", "echo ok; missing-tool-y"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain("command not found: missing-tool-y");
    expect(r.stderr).toContain("    fix: ");
  });

  it("says a file that is not executable cannot be run, with the fix, and exits 126", () => {
    writeFileSync(join(repo, "run.sh"), "echo hi\n");
    const r = swarm(["sandbox", "--cwd", repo, "--", "./run.sh"]);
    rmSync(join(repo, "run.sh"));
    expect(r.code).toBe(126);
    expect(r.stderr).toContain("swarm sandbox: ./run.sh cannot be run: it is not executable");
    expect(r.stderr).toContain("    fix: make it executable (chmod +x ./run.sh)");
  });

  it("refuses a --cwd folder that does not exist with exit 2 and runs nothing", () => {
    const r = swarm(["sandbox", "--cwd", join(dir, "nowhere"), "--", "touch", "ran"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `swarm sandbox: --cwd ${join(dir, "nowhere")}: no such folder.\n    fix: pass --cwd the folder of the working copy to run in (it defaults to the current folder)\n`,
    );
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });

  it("refuses a file as --cwd with exit 2", () => {
    const path = file("not-a-folder.txt", "x\n");
    const r = swarm(["sandbox", "--cwd", path, "--", "true"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`swarm sandbox: --cwd ${path} is a file, not a folder.\n    fix: pass --cwd`);
    expectPlain(r.stderr);
  });
});

describe("swarm config validate on files that are not a config", () => {
  const bomb = [
    'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
    ...["b", "c", "d", "e", "f", "g", "h"].map(
      (name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`,
    ),
    "",
  ].join("\n");

  it.each([
    [
      "an alias bomb",
      "bomb.yml",
      bomb,
      /bomb\.yml:2:\d+ {2}\(yaml\): its aliases \(\*name\) expand to more than 100 copies/,
      "write the values out",
    ],
    [
      "a file over 256 KiB",
      "big.yml",
      `label: swarm\n${"# padding\n".repeat(30_000)}`,
      /big\.yml {2}\(file\): the file is 293 KiB \(300013 bytes\); swarm reads a config of at most 256 KiB \(262144 bytes\)/,
      "keep only swarm's settings in it",
    ],
    [
      "a binary file",
      "binary.yml",
      new Uint8Array([0x6c, 0x61, 0x62, 0x65, 0x6c, 0x3a, 0x0a, 0x00, 0x01, 0xff, 0xfe]),
      /binary\.yml:2:1 {2}\(file\): the file is binary \(a NUL byte on line 2\), not YAML text/,
      "write the config as UTF-8 text",
    ],
    [
      "a file that is not UTF-8",
      "latin1.yml",
      new Uint8Array([...new TextEncoder().encode("label: ok\nbaseBranch: caf"), 0xe9, 0x0a]),
      /latin1\.yml:2:1 {2}\(file\): the file is not UTF-8 text \(line 2 has bytes that are not UTF-8\)/,
      "save the file as UTF-8",
    ],
    [
      "a list at the top level",
      "list.yml",
      "- label: swarm\n- limits: {}\n",
      /list\.yml:1:1 {2}\(root\): the file must be a mapping of settings, but it is a list/,
      "start the file with settings such as `label: swarm`",
    ],
    [
      "a scalar at the top level",
      "scalar.yml",
      "just some words\n",
      /scalar\.yml:1:1 {2}\(root\): the file must be a mapping of settings, but it is the text "just some words"/,
      "start the file with settings",
    ],
    [
      "nesting thousands of levels deep",
      "deep.yml",
      `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`,
      /deep\.yml {2}\(yaml\): the YAML nests too deeply to be read/,
      "simplify the file: a config is a shallow mapping",
    ],
  ])("names %s and its fix, and exits 1 as for any problem", (_what, name, content, problem, fix) => {
    const path = file(name, content);
    const r = swarm(["config", "validate", path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toContain(`\n    fix: ${fix}`);
    expect(r.stderr).toContain(`${path}: 1 problem; the configuration reference lists every key.`);
    expectPlain(r.stderr);
  });

  it("refuses a device such as /dev/zero without reading it forever", () => {
    const r = swarm(["config", "validate", "/dev/zero"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "/dev/zero: it is not a regular file.\n    fix: pass the path of your swarm.yml, or create .github/swarm.yml.\n",
    );
  });

  it("stops swarm sandbox on a repository whose swarm.yml is an alias bomb, running nothing", () => {
    const repo = userRepo({ ".github/swarm.yml": bomb });
    const before = userState(repo);
    const r = swarm(["sandbox", "--cwd", repo, "--", "touch", "ran"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("(yaml): its aliases (*name) expand to more than 100 copies");
    expect(r.stderr).toContain("    fix: write the values out");
    expectPlain(r.stderr);
    expect(userState(repo)).toBe(before);
  });
});

describe("swarm setup checks --url and --port before anything starts", () => {
  const urlFix =
    "    fix: pass --url the public address where swarm server will listen, such as https://swarm.example.com\n";
  const portFix = "    fix: pass --port a free local port such as 3000 (the default), or leave it out\n";

  it.each([
    ["not a url", 'swarm setup: --url "not a url" is not a URL.\n'],
    [
      "ftp://x",
      'swarm setup: --url "ftp://x" uses ftp:, but GitHub sends webhooks only over https (or http).\n',
    ],
    ["", "swarm setup: --url is empty.\n"],
  ])("refuses --url %j with exit 2, writing nothing", (url, problem) => {
    const cwd = mkdtempSync(join(dir, "setup-"));
    const r = swarm(["setup", "--url", url], cwd);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `${problem}${urlFix}` });
    expect(existsSync(join(cwd, ".swarm"))).toBe(false);
  });

  it.each(["0", "70000", "abc", "3.5", "-1"])("refuses --port %j with exit 2, writing nothing", (port) => {
    const cwd = mkdtempSync(join(dir, "setup-"));
    const r = swarm(["setup", "--url", "https://swarm.example.com", "--port", port], cwd);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: `swarm setup: --port "${port}" is not a port (a whole number from 1 to 65535).\n${portFix}`,
    });
    expect(existsSync(join(cwd, ".swarm"))).toBe(false);
  });

  describe("on a port that is taken", () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((done) => server.listen(0, "localhost", done));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it("says so with exit 2 instead of Probot's stack, writing nothing", () => {
      const cwd = mkdtempSync(join(dir, "setup-"));
      const r = swarm(["setup", "--url", "https://swarm.example.com", "--port", String(port)], cwd);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr: `swarm setup: --port ${port}: something on this machine already listens on that port.\n    fix: pass --port a free port above 1023 (such as 3001), or stop what uses it\n`,
      });
      expect(existsSync(join(cwd, ".swarm"))).toBe(false);
    });
  });
});

describe("swarm context on what is not a folder of code", () => {
  const fix = "    fix: pass --repo the folder of the code to index (a git repository or a plain folder)\n";

  it("refuses a --repo folder that does not exist with exit 2", () => {
    const missing = join(dir, "no-such-repo");
    expect(swarm(["context", "--repo", missing, "anything"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `swarm context: --repo ${missing}: no such folder.\n${fix}`,
    });
  });

  it("refuses a file as --repo with exit 2", () => {
    const path = file("context-file.ts", "export const a = 1;\n");
    expect(swarm(["context", "--repo", path, "anything"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `swarm context: --repo ${path} is a file, not a folder.\n${fix}`,
    });
  });

  it.each(["lots", "99", "2.5", ""])(
    "refuses --budget %j with exit 2, leaving the repository alone",
    (budget) => {
      const repo = userRepo();
      const before = userState(repo);
      const r = swarm(["context", "--repo", repo, "anything", "--budget", budget]);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr: `swarm context: --budget "${budget}" is not a whole number of tokens, 100 or more.\n    fix: pass --budget a number of tokens such as 4000 (the default), or leave it out\n`,
      });
      expect(userState(repo)).toBe(before);
    },
  );

  it("indexes a plain folder with no git", () => {
    const plain = mkdtempSync(join(dir, "plain-"));
    mkdirSync(join(plain, "src"));
    writeFileSync(join(plain, "src/total.ts"), "export function total(xs: number[]) {\n  return 0;\n}\n");
    const r = swarm(["context", "--repo", plain, "total"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("## src/total.ts");
    expect(r.stderr).toMatch(/^swarm context: 1 files indexed/);
  });
});

describe("commander's errors in swarm's form, exit 2", () => {
  it.each([
    [["deploy"], "swarm: unknown command 'deploy'\n    fix: swarm --help lists the commands\n"],
    [
      ["rn"],
      "swarm: unknown command 'rn'\n    fix: did you mean swarm run? swarm --help lists the commands\n",
    ],
    [
      ["config", "check"],
      "swarm config: unknown command 'check'\n    fix: did you mean swarm config schema? swarm config --help lists the commands\n",
    ],
    [
      ["run", "--repo", ".", "--spec", "x.md", "--fast"],
      "swarm run: unknown option '--fast'\n    fix: swarm run --help lists the options\n",
    ],
    [
      ["run", "--repo", "."],
      "swarm run: required option '--spec <file>' not specified\n    fix: add --spec <file>; swarm run --help lists the options\n",
    ],
    [
      ["setup", "--url"],
      "swarm setup: option '--url <url>' argument missing\n    fix: give --url <url> its value; swarm setup --help lists the options\n",
    ],
    [
      ["context"],
      "swarm context: missing required argument 'query'\n    fix: give the query; swarm context --help shows how\n",
    ],
  ])("swarm %j", (args, stderr) => {
    expect(swarm(args)).toEqual({ code: 2, stdout: "", stderr });
  });
});

describe("help", () => {
  it("lists run first, with an example and the exit codes, and exits 0", () => {
    const r = swarm(["--help"]);
    expect(r.code).toBe(0);
    const commands = r.stdout.slice(r.stdout.indexOf("Commands:\n")).split("\n")[1] ?? "";
    expect(commands).toMatch(/^ {2}run \[options\] +Run the whole pipeline/);
    expect(r.stdout).toContain("Example:\n  npx swarm run --repo . --spec issue.md");
    expect(r.stdout).toContain("2 bad input");
  });

  it("names the environment variables swarm run reads", () => {
    const r = swarm(["run", "--help"]);
    expect(r.code).toBe(0);
    for (const name of [
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_BASE_URL",
      "SWARM_RUNS_DIR",
      "SWARM_CACHE_DIR",
      "SWARM_DEBUG",
    ])
      expect(r.stdout).toMatch(new RegExp(`\\n {2}${name}(=1)? +\\S`));
    expect(r.stdout).toContain("Example:\n  npx swarm run --repo . --spec issue.md\n");
  });

  it("exits 0 for swarm help <command> and --version", () => {
    expect(swarm(["help", "run"]).code).toBe(0);
    expect(swarm(["--version"])).toMatchObject({ code: 0, stderr: "" });
  });
});
