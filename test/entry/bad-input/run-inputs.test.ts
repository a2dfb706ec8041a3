import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { gitIn, userRepo, userState } from "../../support/user-repo.js";

// `swarm run` and `swarm plan` given what a new user gives them by mistake: each answer names the problem
// and its fix in plain text, exits 2, leaves no run folder, and changes nothing of the user's.
const bin = resolve(import.meta.dirname, "../../../bin/swarm.js");
type Ran = { code: number | null; stdout: string; stderr: string };
const swarm = (args: string[], env: Record<string, string> = {}, cwd = tmpdir()) =>
  new Promise<Ran>((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

const KEY = { ANTHROPIC_API_KEY: "sk-ant-test-not-a-real-key-000000" };
const scratch = () => mkdtempSync(join(tmpdir(), "swarm-bad-"));
function specFile(text: string | Buffer = "# Add a thing\n\nAdd `thing()` to src/todo.ts.\n"): string {
  const path = join(scratch(), "spec.md");
  writeFileSync(path, text);
  return path;
}

/** Runs swarm and checks the answer to bad input: exit 2, problem and fix, no stack, nothing changed. */
async function refused(
  args: string[],
  problem: RegExp,
  fix: RegExp,
  options: { repo?: string; env?: Record<string, string> } = {},
) {
  const runs = scratch();
  const before = options.repo ? userState(options.repo) : "";
  const r = await swarm(args, { SWARM_RUNS_DIR: runs, ...KEY, ...options.env });
  const said = `${r.stdout}${r.stderr}`;
  expect(r.code, said).toBe(2);
  expect(r.stderr, said).toMatch(problem);
  expect(r.stderr, said).toMatch(/\n {4}fix: /);
  expect(r.stderr, said).toMatch(fix);
  expect(said).not.toMatch(/\n\s+at .+:\d+:\d+|\*\*|\/swarm retry/); // no stack, no Markdown, no GitHub advice
  expect(r.stdout, "nothing on stdout for a refused start").toBe("");
  if (existsSync(runs)) expect(readdirSync(runs), "no orphan run folder").toEqual([]);
  if (options.repo) {
    expect(userState(options.repo)).toBe(before);
    // Nothing of swarm's in the repository either (its run state would go to .git/swarm).
    if (existsSync(join(options.repo, ".git")))
      expect(existsSync(join(options.repo, ".git", "swarm"))).toBe(false);
  }
  return r;
}

function repoWith(setup: (repo: string) => void): string {
  const repo = userRepo({ "src/todo.ts": "export const todo = 1;\n", "README.md": "# todo\n" });
  setup(repo);
  return repo;
}
const conflicted = (repo: string) => {
  gitIn(repo, "switch", "-q", "-c", "other");
  writeFileSync(join(repo, "src/todo.ts"), "export const todo = 2;\n");
  gitIn(repo, "commit", "-qam", "two");
  gitIn(repo, "switch", "-q", "main");
  writeFileSync(join(repo, "src/todo.ts"), "export const todo = 3;\n");
  gitIn(repo, "commit", "-qam", "three");
};
const tryGit = (repo: string, ...args: string[]) => {
  try {
    gitIn(repo, ...args);
  } catch {
    // a conflict: what the case is about
  }
};

const badRepos: [string, () => string, RegExp, RegExp][] = [
  ["a folder that does not exist", () => join(scratch(), "nope"), /does not exist/, /Pass --repo the folder/],
  [
    "a file",
    () => {
      const f = join(scratch(), "file.txt");
      writeFileSync(f, "x");
      return f;
    },
    /is a file, not a folder/,
    /Pass --repo the folder/,
  ],
  [
    "a bare repository",
    () => {
      const bare = join(scratch(), "bare.git");
      gitIn(tmpdir(), "init", "-q", "--bare", bare);
      return bare;
    },
    /is a bare repository/,
    /git clone .* work/,
  ],
  [
    "a repository with no commits",
    () => {
      const dir = scratch();
      gitIn(dir, "init", "-q", "-b", "main");
      writeFileSync(join(dir, "a.txt"), "mine\n");
      return dir;
    },
    /has no commits yet/,
    /add -A && git -C .* commit -m start/,
  ],
  [
    "a detached HEAD",
    () => repoWith((r) => gitIn(r, "checkout", "-q", "--detach", "HEAD")),
    /HEAD of .* is detached \(at [0-9a-f]{7}/,
    /switch main/,
  ],
  [
    "a rebase in progress",
    () =>
      repoWith((r) => {
        conflicted(r);
        tryGit(r, "rebase", "other");
      }),
    /in the middle of a rebase/,
    /rebase --continue\) or abort it \(git -C .* rebase --abort/,
  ],
  [
    "a merge in progress",
    () =>
      repoWith((r) => {
        conflicted(r);
        tryGit(r, "merge", "-q", "other");
      }),
    /in the middle of a merge/,
    /merge --abort/,
  ],
  [
    "a cherry-pick in progress",
    () =>
      repoWith((r) => {
        conflicted(r);
        tryGit(r, "cherry-pick", "other");
      }),
    /in the middle of a cherry-pick/,
    /cherry-pick --abort/,
  ],
  [
    "a branch named swarm, which swarm's branches cannot sit beside",
    () => repoWith((r) => gitIn(r, "branch", "swarm")),
    /has a branch named swarm/,
    /branch -m swarm swarm-old/,
  ],
];

describe("swarm run and swarm plan refuse a --repo they cannot use", () => {
  for (const command of ["run", "plan"] as const) {
    for (const [what, make, problem, fix] of badRepos) {
      it(`${command}: ${what}`, async () => {
        const repo = make();
        await refused([command, "--repo", repo, "--spec", specFile()], problem, fix, {
          ...(existsSync(repo) ? { repo } : {}),
        });
      });
    }
  }
});

const badSpecs: [string, () => string, RegExp, RegExp][] = [
  [
    "a spec that does not exist",
    () => join(scratch(), "missing.md"),
    /spec file .* does not exist/,
    /--spec the path of a Markdown file/,
  ],
  ["a spec that is a folder", () => scratch(), /is a folder, not a file/, /--spec the path/],
  [
    "a binary spec",
    () => specFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])),
    /is not text/,
    /--spec the path/,
  ],
  [
    "a spec that is not UTF-8",
    () => specFile(Buffer.from("# Caf\xe9\n\nlatin-1 text\n", "latin1")),
    /is not text/,
    /Markdown file/,
  ],
  ["an empty spec", () => specFile("  \n\n"), /is empty/, /a `# Title` line|# Title line/],
  [
    "a spec with no title",
    () => specFile("Just do the thing.\n"),
    /has no title/,
    /Start it with a # Title line/,
  ],
  [
    "a huge spec",
    () => specFile(`# Big\n\n${"word ".repeat(20_000)}`),
    /has 100,007 characters; a spec may have at most 65,536/,
    /Shorten it, or split the work/,
  ],
  [
    "a spec far past the limit, refused before it is read",
    () => specFile(`# Bigger\n\n${"x".repeat(300_000)}`),
    /is 300,010 bytes; a spec may have at most 65,536 characters/,
    /split the work into several specs/,
  ],
];

describe("swarm run and swarm plan refuse a --spec they cannot use", () => {
  for (const command of ["run", "plan"] as const) {
    for (const [what, make, problem, fix] of badSpecs) {
      it(`${command}: ${what}`, async () => {
        const repo = userRepo();
        await refused([command, "--repo", repo, "--spec", make()], problem, fix, { repo });
      });
    }
  }
});

describe("the environment: no key, a malformed endpoint, a runs folder that cannot be written", () => {
  for (const command of ["run", "plan"] as const) {
    it(`${command} without ANTHROPIC_API_KEY says how to get one, how to use another endpoint, and --replay`, async () => {
      const repo = userRepo();
      const r = await refused(
        [command, "--repo", repo, "--spec", specFile()],
        /ANTHROPIC_API_KEY is not set, so swarm has no model to ask/,
        /or pass --replay/,
        // The default run folder (inside .git) this time: a refused start makes nothing there.
        { repo, env: { ANTHROPIC_API_KEY: "", SWARM_RUNS_DIR: "" } },
      );
      expect(r.stderr).toContain("console.anthropic.com/settings/keys");
      expect(r.stderr).toContain("ANTHROPIC_BASE_URL=https://");
      expect(r.stderr).toContain(`swarm ${command} --repo … --spec … --replay`);
      expect(r.stderr.match(/ANTHROPIC_API_KEY is not set/g)).toHaveLength(1); // one message
    });
  }
  it("run with ANTHROPIC_BASE_URL that is not a URL", async () => {
    const repo = userRepo();
    await refused(
      ["run", "--repo", repo, "--spec", specFile()],
      /malformed: ANTHROPIC_BASE_URL/,
      /must be a URL/,
      {
        repo,
        env: { ANTHROPIC_BASE_URL: "localhost:8080" },
      },
    );
  });
  it("plan with SWARM_MODEL_MAX_ATTEMPTS that is not a number", async () => {
    const repo = userRepo();
    await refused(
      ["plan", "--repo", repo, "--spec", specFile()],
      /SWARM_MODEL_MAX_ATTEMPTS/,
      /positive integers/,
      {
        repo,
        env: { SWARM_MODEL_MAX_ATTEMPTS: "lots" },
      },
    );
  });
  it("run with SWARM_RUNS_DIR that is a file", async () => {
    const repo = userRepo();
    const file = join(scratch(), "runs");
    writeFileSync(file, "");
    await refused(
      ["run", "--repo", repo, "--spec", specFile()],
      /SWARM_RUNS_DIR \(.*\) is a file/,
      /folder you can write to/,
      {
        repo,
        env: { SWARM_RUNS_DIR: file },
      },
    );
  });
  it("run with SWARM_RUNS_DIR inside a file", async () => {
    const repo = userRepo();
    const file = join(scratch(), "runs");
    writeFileSync(file, "");
    await refused(
      ["run", "--repo", repo, "--spec", specFile()],
      /SWARM_RUNS_DIR \(.*\) cannot be written to \(ENOTDIR\)/,
      /Set SWARM_RUNS_DIR to a folder you can write to/,
      { repo, env: { SWARM_RUNS_DIR: join(file, "inside") } },
    );
  });
  it("plan with SWARM_RUNS_DIR where nothing can be written (/proc)", async () => {
    const repo = userRepo();
    await refused(["plan", "--repo", repo, "--spec", specFile()], /cannot be written to/, /SWARM_RUNS_DIR/, {
      repo,
      env: { SWARM_RUNS_DIR: "/proc/swarm-runs" },
    });
  });
  it("run on a repository whose committed .github/swarm.yml is invalid", async () => {
    const repo = userRepo({
      "src/todo.ts": "x\n",
      ".github/swarm.yml": "colour: red\nlimits:\n  maxNodes: -3\n",
    });
    const r = await refused(
      ["run", "--repo", repo, "--spec", specFile()],
      /\.github\/swarm\.yml \(as committed\) has problems/,
      /commit it \(check it with: npx swarm config validate/,
      { repo },
    );
    expect(r.stderr).toContain('colour: unknown key "colour"');
    expect(r.stderr).toContain("limits.maxNodes: must be greater than 0, but it is -3");
  });
});

describe("swarm clean refuses what it cannot do", () => {
  it("a run number that is not a number", async () => {
    const repo = userRepo();
    await refused(
      ["clean", "--repo", repo, "first"],
      /"first" is not a run number/,
      /swarm clean with no number lists them/,
      {
        repo,
      },
    );
  });
  it("a run that does not exist", async () => {
    const repo = userRepo();
    await refused(
      ["clean", "--repo", repo, "7"],
      /There is no swarm run 7 in/,
      /List them with: swarm clean --repo/,
      {
        repo,
      },
    );
  });
  it("a plain folder, which has no swarm branches", async () => {
    const dir = scratch();
    mkdirSync(join(dir, "src"));
    await refused(
      ["clean", "--repo", dir, "--all"],
      /is not a git repository, so it has no swarm branches/,
      /delete the run folder/,
    );
  });
});
