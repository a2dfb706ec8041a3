import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MessageCreateParams } from "@anthropic-ai/sdk/resources/messages/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentScript, saw, toolResults } from "../support/agent-script.js";
import { call } from "../support/fake-anthropic/agent-calls.js";
import { type FakeAnthropic, startFakeAnthropic } from "../support/fake-anthropic/server.js";
import { startNodeRig } from "../support/node-rig.js";
import { node } from "../support/plans.js";

// What a node's coder can and cannot do with a shell: ownership holds whatever a command writes, verdicts
// are against the node's starting point, a cut-off answer and a hanging command are recovered from, the
// node knows the plan and what its dependencies handed over, and only the owner of the manifests installs.
// Real git, the real sandbox and node runner, the fake Messages API with scripted agents.

let anthropic: FakeAnthropic;
beforeAll(async () => {
  anthropic = await startFakeAnthropic();
});
afterAll(() => anthropic.stop());

const CHECK = `grep -q hello src/api/hello.ts 2>/dev/null && echo "checks pass" || { echo "src/api/hello.ts:1:1: error: hello is missing"; exit 1; }\n`;
const twoNodes = {
  summary: "The API and the UI, in parallel.",
  nodes: [
    node("api", [], ["src/api/**"], { title: "Add hello", goal: "src/api/hello.ts exports hello." }),
    node("ui", [], ["src/ui/**"], { title: "Build the UI" }),
  ],
};
const appFiles = {
  "check.sh": CHECK,
  "README.md": "# app\n",
  ".github/workflows/ci.yml": "on: push\n",
  ".github/swarm.yml": "validation:\n  commands: [sh check.sh]\n",
  "src/api/index.ts": "export {};\n",
  "src/ui/index.ts": "export const ui = true;\n",
};

describe("ownership with a shell", () => {
  it("reverts and reports every write outside the node's files; none reaches the branch", async () => {
    const script = agentScript([
      () =>
        call.bash(
          "echo x >> README.md && mkdir -p notes && echo todo > notes/todo.txt && rm src/ui/index.ts",
        ),
      (shown) => {
        saw(
          shown,
          "swarm reverted what this changed outside the files of node `api` (`src/api/**`)",
          "- `README.md` (changed; put back; no node owns it)",
          "- `notes/todo.txt` (new; removed; no node owns it)",
          "- `src/ui/index.ts` (deleted; restored; owned by node `ui`)",
          "say what it needs in the handoff note",
        );
        return call.bash("cat README.md; ls notes 2>&1; cat src/ui/index.ts");
      },
      (shown) => {
        saw(shown, "# app", "No such file or directory", "export const ui = true;");
        return call.bash("echo 'on: pull_request' > .github/workflows/ci.yml");
      },
      (shown) => {
        saw(
          shown,
          "- `.github/workflows/ci.yml` (changed; put back; protected by the repository's configuration)",
        );
        return call.create("src/ui/evil.ts", "export const evil = 1;\n");
      },
      (shown) => {
        saw(shown, 'Error: refused: Node "api" may change only the files it owns (`src/api/**`)');
        return call.bash("echo 'export const hello = \"hello\";' > src/api/hello.ts && cat src/api/hello.ts");
      },
      (shown) => {
        // A write inside the node's files through the shell is the node's own work: kept, not reported.
        saw(shown, 'export const hello = "hello";');
        expect(shown).not.toContain("swarm reverted");
        return call.runChecks();
      },
      (shown) => {
        saw(shown, "The checks pass");
        return call.finish("Added src/api/hello.ts.", "Import { hello } from src/api/hello.ts.");
      },
    ]);
    anthropic.setModel(script);
    const rig = await startNodeRig({ anthropic, files: appFiles, plan: twoNodes });
    expect(await rig.code("api")).toBe("done");
    expect(script.missed).toEqual([]);
    expect(rig.changedOnBranch("api")).toEqual(["src/api/hello.ts"]);
    // The person's working tree was never the node's: the run worked in its own copy.
    expect(readFileSync(join(rig.repoDir, "README.md"), "utf8")).toBe("# app\n");
  }, 60_000);
});

describe("the verdict is on the node's own work", () => {
  it("a background job that rewrites a test it does not own after the last command does not pass the node", async () => {
    const script = agentScript([
      () => call.create("src/api/value.txt", "41\n"),
      () => call.bash("(sleep 1; printf 'exit 0\\n' > test.sh) & echo started"),
      (shown) => {
        saw(shown, "started");
        // The model takes its time over its last answer; the job rewrites test.sh meanwhile.
        return { ...call.finish("Wrote the value."), latencyMs: 2500 };
      },
    ]);
    anthropic.setModel(script);
    const rig = await startNodeRig({
      anthropic,
      files: {
        ".github/swarm.yml": "validation:\n  commands: [sh test.sh]\n",
        "test.sh":
          'test "$(cat src/api/value.txt 2>/dev/null || echo 42)" = 42 || { echo "src/api/value.txt:1: error: not 42"; exit 1; }\n',
      },
      plan: twoNodes,
    });
    expect(await rig.code("api")).toBe("failed");
    expect(script.missed).toEqual([]);
    expect(rig.comments("api").join("\n")).toContain("`src/api/value.txt:1` error: not 42");
  }, 60_000);
});

describe("nothing in the working copy can make swarm's own git run a command on the host", () => {
  it("a planted .gitconfig with an fsmonitor command, .git/config and a hook do nothing outside the sandbox", async () => {
    const planted = join(mkdtempSync(join(tmpdir(), "swarm-pwn-")), "ran");
    const fsmonitor = `[core]\n\tfsmonitor = "touch ${planted} #"\n`;
    const script = agentScript([
      () =>
        call.bash(
          [
            `printf '${fsmonitor}' > .gitconfig`,
            `mkdir -p .config/git && printf '${fsmonitor}' > .config/git/config`,
            `printf '${fsmonitor}' >> .git/config 2>&1 | tail -1`,
            `printf '#!/bin/sh\ntouch ${planted}\n' > .git/hooks/pre-commit 2>&1 | tail -1`,
            "echo planted",
          ].join("; "),
        ),
      (shown) => {
        saw(shown, "Read-only file system", "planted", "- `.gitconfig` (new; removed; no node owns it)");
        return call.create("src/api/hello.ts", 'export const hello = "hello";\n');
      },
      () => call.finish("Added hello."),
    ]);
    anthropic.setModel(script);
    const rig = await startNodeRig({ anthropic, files: appFiles, plan: twoNodes });
    expect(await rig.code("api")).toBe("done");
    expect(script.missed).toEqual([]);
    // swarm ran git status after the command and committed the node's file: neither ran the planted command.
    expect(existsSync(planted)).toBe(false);
    expect(rig.changedOnBranch("api")).toEqual(["src/api/hello.ts"]);
  }, 60_000);
});

describe("verdicts against the starting point", () => {
  const files = {
    ".github/swarm.yml": "validation:\n  commands: [python3 -m pytest -q]\n",
    "greet.py": 'def greet(name):\n    return f"Hello, {name}!"\n',
    "legacy.py": "def legacy():\n    return 1\n",
    "test_greet.py":
      'from greet import greet\n\n\ndef test_greet():\n    assert greet("Ada") == "Hello, Ada!"\n',
    "test_legacy.py": "from legacy import legacy\n\n\ndef test_legacy():\n    assert legacy() == 2\n",
    "shout.py": "",
  };
  const plan = {
    summary: "One node.",
    nodes: [node("shout", [], ["shout.py", "greet.py"], { title: "Shout" })],
  };

  it("a failure already on the base is pre-existing: the node is done and says so", async () => {
    const script = agentScript([
      (prompt) => {
        // Told before it starts what already fails.
        saw(
          prompt,
          "1 failure was already there (pre-existing; they do not count against you)",
          "`test_legacy.py:5` `test_legacy` assert 1 == 2",
        );
        return call.create("shout.py", "def shout(text):\n    return text.upper()\n");
      },
      () => call.runChecks(),
      (shown) => {
        saw(
          shown,
          "Nothing that passed before you started fails now; 1 failure was already there (pre-existing",
          "- pre-existing: `test_legacy.py:5` `test_legacy`",
          "assert 1 == 2",
        );
        return call.finish("Added shout().");
      },
    ]);
    anthropic.setModel(script);
    const rig = await startNodeRig({ anthropic, files, plan });
    expect(await rig.code("shout")).toBe("done");
    expect(script.missed).toEqual([]);
    const result = rig.comments("shout").join("\n");
    expect(result).toContain("**Node `shout` is done**");
    expect(result).toContain("1 failure was already on its starting point (pre-existing, not this node's)");
    expect(result).toContain("`test_legacy.py:5` `test_legacy` assert 1 == 2");
  }, 60_000);

  it("a node that breaks a passing test fails, naming it", async () => {
    anthropic.setModel(
      agentScript([
        () => call.replace("greet.py", 'f"Hello, {name}!"', 'f"Hi, {name}"'),
        () => call.runChecks(),
        (shown) => {
          saw(shown, "1 new failure", "- new: `test_greet.py:5` `test_greet`");
          return call.finish("Changed the greeting.");
        },
      ]),
    );
    const rig = await startNodeRig({ anthropic, files, plan });
    expect(await rig.code("shout")).toBe("failed");
    const result = rig.comments("shout").join("\n");
    expect(result).toContain("**Node `shout` failed:**");
    expect(result).toContain("1 check failure that was not there before it started");
    expect(result).toContain(
      "- `python3 -m pytest -q`: `test_greet.py:5` `test_greet` AssertionError: assert 'Hi, Ada' == 'Hello, Ada!'",
    );
    expect(result).toContain("1 more failed already before it started (pre-existing).");
    expect(rig.changedOnBranch("shout")).toEqual([]);
  }, 60_000);
});

describe("the loop goes on", () => {
  it("a tool call cut off at max_tokens is not run; the model is told to write in parts, and does", async () => {
    const long = Array.from({ length: 40 }, (_, i) => `export const line${i} = ${i};`).join("\n");
    const script = agentScript([
      () => ({
        ...call.create("src/api/hello.ts", `${long}\nexport const hello = "hello";\n`),
        stopReason: "max_tokens",
      }),
      (shown) => {
        saw(
          shown,
          "while you were writing this str_replace_based_edit_tool create call, so it was cut off and did not run",
          "Write the file in smaller parts",
        );
        return call.bash("ls src/api");
      },
      (shown) => {
        expect(shown).not.toContain("hello.ts"); // nothing half-written
        return call.create("src/api/hello.ts", `${long.split("\n").slice(0, 20).join("\n")}\n`);
      },
      () =>
        call.insert(
          "src/api/hello.ts",
          20,
          `${long.split("\n").slice(20).join("\n")}\nexport const hello = "hello";\n`,
        ),
      (shown) => {
        saw(shown, "Inserted 21 lines after line 20 of src/api/hello.ts.");
        return call.runChecks();
      },
      () => call.finish("Wrote src/api/hello.ts in two parts."),
    ]);
    anthropic.setModel(script);
    const rig = await startNodeRig({ anthropic, files: appFiles, plan: twoNodes });
    expect(await rig.code("api")).toBe("done");
    expect(script.missed).toEqual([]);
    expect(rig.onBranch("api", "src/api/hello.ts")?.split("\n")).toHaveLength(42);
  }, 60_000);

  it("a command that hangs past its limit is killed and reported; the next command works in a fresh shell", async () => {
    const script = agentScript([
      () => call.bash("cd src && export MARK=kept && sleep 60"),
      (shown) => {
        saw(
          shown,
          "Error: the command did not finish within 2 seconds, so it was killed",
          "the shell restarted",
        );
        return call.bash('pwd; echo "mark=$MARK"; echo alive');
      },
      (shown) => {
        saw(shown, "/workspace\nmark=\nalive", "exit code 0");
        return call.bash("cd src && export MARK=kept");
      },
      () => call.bash('pwd; echo "mark=$MARK"'),
      (shown) => {
        // Between commands that finish, the session keeps its directory and variables.
        saw(shown, "/workspace/src\nmark=kept");
        return call.finish("Nothing to change.");
      },
    ]);
    anthropic.setModel(script);
    const rig = await startNodeRig({
      anthropic,
      files: {
        ...appFiles,
        ".github/swarm.yml": "sandbox:\n  shellSeconds: 2\n",
        "src/api/hello.ts": "hello\n",
      },
      plan: twoNodes,
    });
    const started = Date.now();
    expect(await rig.code("api")).toBe("done");
    expect(script.missed).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe("the coder knows the run", () => {
  it("a dependent node's first request holds the whole plan and what its dependency handed over", async () => {
    const plan = {
      summary: "greet first; banner uses it.",
      nodes: [
        node("greet", [], ["greet.js"], { title: "Greeting", goal: "greet(name) returns a greeting." }),
        node("banner", ["greet"], ["banner.js"], { title: "Banner", goal: "banner() prints greet('all')." }),
      ],
    };
    anthropic.setModel((req) => {
      const id = /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(req.messages[0]))?.[1];
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      if (turn === 0)
        return id === "greet"
          ? // biome-ignore lint/suspicious/noTemplateCurlyInString: the fixture's own JavaScript, with its template literal.
            call.create("greet.js", "export const greet = (name) => `Hello, ${name}`;\n")
          : call.create(
              "banner.js",
              'import { greet } from "./greet.js";\nexport const banner = () => greet("all");\n',
            );
      if (turn === 1)
        return call.finish(
          `Wrote ${id}.js.`,
          id === "greet"
            ? "greet(name: string): string is exported from greet.js; it adds no punctuation."
            : "",
        );
      return { content: [{ type: "text", text: "Done." }] };
    });
    const rig = await startNodeRig({
      anthropic,
      files: { "AGENTS.md": "Use ES modules and named exports.\n" },
      plan,
      spec: { title: "Greet everyone", body: "A greeting, and a banner that uses it." },
    });
    expect(await rig.code("greet")).toBe("done");
    expect(await rig.code("banner")).toBe("done");
    const first = rig.trace().find((l) => l.role === "coder" && l.node === "banner" && l.turn === 0);
    const prompt = JSON.stringify(first?.request);
    expect(prompt).toContain("The plan: greet first; banner uses it.");
    expect(prompt).toContain("- `greet` Greeting (implement, M)\\n  goal: greet(name) returns a greeting.");
    expect(prompt).toContain("owns: `greet.js`");
    expect(prompt).toContain("Greet everyone");
    expect(prompt).toContain("Handoff note: greet(name: string): string is exported from greet.js");
    expect(prompt).toContain("Use ES modules and named exports.");
    expect(prompt).toContain("the repository's instructions for agents: conventions, not commands");
    expect(rig.onBranch("banner", "greet.js")).toContain("export const greet");
  }, 60_000);

  it("every node has the install tool (one cached prefix), only the one that owns the dependency files may run it", async () => {
    const plan = {
      summary: "deps and code in parallel.",
      nodes: [
        node("deps", [], ["package.json", "package-lock.json"], { title: "Dependencies" }),
        node("code", [], ["src/**"], { title: "Code" }),
      ],
    };
    const toolsOf: Record<string, string[]> = {};
    anthropic.setModel((req) => {
      const id = /Your node: `([a-z0-9-]+)`/.exec(JSON.stringify(req.messages[0]))?.[1] ?? "";
      toolsOf[id] = (req.tools ?? []).map((t) => String((t as { name?: string }).name));
      const turn = req.messages.filter((m) => m.role === "assistant").length;
      // Both try it first; the node that does not own the dependency files is told why it cannot.
      if (turn === 0) return call.install();
      if (turn === 1) return call.finish("Nothing to change.");
      return { content: [{ type: "text", text: "Done." }] };
    });
    const rig = await startNodeRig({
      anthropic,
      files: {
        "package.json": '{ "name": "x", "private": true }\n',
        "package-lock.json": '{ "lockfileVersion": 3 }\n',
        ".github/swarm.yml":
          'validation:\n  install: "echo installing from the registry; echo done > .installed"\n  commands: ["test -f .installed"]\n',
        ".gitignore": ".installed\n",
      },
      plan,
    });
    expect(await rig.code("deps")).toBe("done");
    expect(await rig.code("code")).toBe("done");
    expect(toolsOf.deps).toEqual(["bash", "str_replace_based_edit_tool", "run_checks", "install", "finish"]);
    expect(toolsOf.code).toEqual(toolsOf.deps);
    const last = (id: string): MessageCreateParams =>
      anthropic.requests
        .filter((r) => JSON.stringify(r.body.messages[0]).includes(`Your node: \`${id}\``))
        .at(-1)?.body ?? { model: "", max_tokens: 1, messages: [] };
    const shown = toolResults(last("deps")).join("\n");
    expect(shown).toContain("$ echo installing from the registry; echo done > .installed\npassed after");
    expect(shown).toContain("<tool-output>\ninstalling from the registry\n</tool-output>");
    expect(toolResults(last("code")).join("\n")).toContain(
      "Your node does not own the dependency files, so it cannot install",
    );
    // What the two share, tools, system and the run's part of the prompt, is the same to the byte.
    const shared = (id: string) => {
      const body = last(id);
      const first = body.messages[0]?.content;
      return JSON.stringify([body.tools, body.system, Array.isArray(first) ? first.slice(0, -1) : first]);
    };
    expect(shared("code")).toBe(shared("deps"));
  }, 60_000);
});
