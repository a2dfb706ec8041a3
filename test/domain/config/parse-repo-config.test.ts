import { describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES } from "../../../src/domain/config/config-size-problem.js";
import { MAX_CONFIG_ALIASES, parseRepoConfig } from "../../../src/domain/config/parse-repo-config.js";
import { DEFAULT_MODELS, DEFAULT_PRICES } from "../../../src/domain/config/repo-config.js";

function problemsOf(text: string) {
  const result = parseRepoConfig(text);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("parseRepoConfig", () => {
  it("gives the defaults for an empty file", () => {
    const result = parseRepoConfig("");
    expect(result).toEqual({
      ok: true,
      config: {
        label: "swarm",
        models: DEFAULT_MODELS,
        cache: { ttl: "auto", warm: true },
        agents: {
          planner: { maxOutputTokens: 32_000 },
          coder: { maxOutputTokens: 32_000 },
          reviewer: { maxOutputTokens: 16_000 },
          integrator: { maxOutputTokens: 16_000 },
        },
        prices: DEFAULT_PRICES,
        limits: {
          maxNodes: 12,
          maxParallelNodes: 4,
          maxCoderTurns: 100,
          maxTokensPerNode: 4_000_000,
          maxUsdPerNode: 5,
          maxReviewerTurns: 30,
          maxTokensPerReview: 1_500_000,
          maxPlannerTurns: 20,
          maxTokensPerPlan: 1_500_000,
          maxRevisionRounds: 3,
          maxTokensPerRun: 20_000_000,
          maxUsdPerRun: 25,
          approval: "auto",
        },
        protectedPaths: [".github/workflows/**"],
        validation: { installNetwork: true, commands: [], ciWaitMinutes: 10, specCheck: true },
        sandbox: {
          mode: "bubblewrap",
          wallSeconds: 600,
          shellSeconds: 120,
          cpuSeconds: 600,
          memoryMb: 4096,
          processes: 512,
          fileMb: 1024,
          outputKb: 8192,
        },
        pullRequest: { draft: true, reviewers: [] },
      },
    });
  });

  it("keeps what the file sets and defaults the rest, merging prices over the built-in table", () => {
    const result = parseRepoConfig(
      [
        "label: ai",
        "baseBranch: develop",
        "models: { coder: my-model }",
        "prices:",
        "  my-model: { input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.5 }",
        "limits: { maxNodes: 5 }",
      ].join("\n"),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.config.label).toBe("ai");
    expect(result.config.baseBranch).toBe("develop");
    expect(result.config.models).toEqual({ ...DEFAULT_MODELS, coder: "my-model" });
    expect(result.config.prices["my-model"]).toEqual({
      input: 1,
      output: 2,
      cacheRead: 0.1,
      cacheWrite: 1.5,
    });
    expect(result.config.prices["claude-opus-5"]).toEqual(DEFAULT_PRICES["claude-opus-5"]);
    expect(result.config.limits).toMatchObject({ maxNodes: 5, maxParallelNodes: 4 });
  });

  it("names a wrong type, an unknown key and a negative limit, with their places and fixes", () => {
    expect(problemsOf("label: 5\nlimits:\n  maxNodes: -3\ncolour: red\n")).toEqual([
      {
        path: "label",
        line: 1,
        column: 8,
        message: "must be text, but it is 5",
        fix: "write text; quote it if it looks like a number or true/false",
      },
      {
        path: "limits.maxNodes",
        line: 3,
        column: 13,
        message: "must be greater than 0, but it is -3",
        fix: "use a number greater than 0",
      },
      {
        path: "colour",
        line: 4,
        column: 1,
        message: 'unknown key "colour"',
        fix: "remove it; the keys allowed here are: label, baseBranch, models, cache, agents, prices, limits, protectedPaths, validation, sandbox, pullRequest",
      },
    ]);
  });

  it("suggests the key a typo meant", () => {
    expect(problemsOf("limits:\n  maxNodez: 4\n")).toEqual([
      {
        path: "limits.maxNodez",
        line: 2,
        column: 3,
        message: 'unknown key "maxNodez"',
        fix: 'did you mean "maxNodes"? Rename it, or remove it',
      },
    ]);
  });

  it("names a model without a price", () => {
    expect(problemsOf("models:\n  coder: my-model\n")).toEqual([
      {
        path: "models.coder",
        line: 2,
        column: 10,
        message: 'model "my-model" has no price, so its cost cannot be counted',
        fix: 'add its prices under prices."my-model" (input, output, cacheRead, cacheWrite)',
      },
    ]);
  });

  it.each([
    ["limits:\n  maxNodes: 101\n", "limits.maxNodes", "must be at most 100, but it is 101"],
    ["limits:\n  maxNodes: 2.5\n", "limits.maxNodes", "must be a whole number, but it is 2.5"],
    ["limits:\n  maxUsdPerRun: 0\n", "limits.maxUsdPerRun", "must be greater than 0, but it is 0"],
    [
      "pullRequest:\n  draft: 'yes'\n",
      "pullRequest.draft",
      'must be true or false, but it is the text "yes"',
    ],
    [
      "pullRequest:\n  reviewers: octocat\n",
      "pullRequest.reviewers",
      'must be a list, but it is the text "octocat"',
    ],
    [
      "pullRequest:\n  reviewers: [octocat, '@bad name']\n",
      "pullRequest.reviewers[1]",
      'must be a GitHub login (octocat) or a team (my-org/my-team), but it is the text "@bad name"',
    ],
    ["label: ''\n", "label", "must not be empty"],
    ["baseBranch: 'a..b'\n", "baseBranch", 'must be a valid git branch name, but it is the text "a..b"'],
    [
      "protectedPaths: ['../secrets']\n",
      "protectedPaths[0]",
      'must be a path or glob relative to the repository root, with / separators and no .., but it is the text "../secrets"',
    ],
    ["prices:\n  x: { input: 1 }\n", "prices.x.output", "is required"],
    [
      "agents:\n  coder: { effort: max, thinking: between_tools }\n",
      "agents.coder.thinking",
      "between_tools thinking does not take effort max",
    ],
    [
      "agents:\n  coder: { maxOutputTokens: 200000 }\n",
      "agents.coder.maxOutputTokens",
      "must be at most 128000, but it is 200000",
    ],
  ])("explains %j", (text, path, message) => {
    expect(problemsOf(text)).toContainEqual(expect.objectContaining({ path, message }));
  });

  it("reports broken YAML with its line", () => {
    const [problem] = problemsOf("limits:\n  maxNodes: [1,\n");
    expect(problem).toMatchObject({ path: "(yaml)", line: 3 });
    expect(problem?.message).toMatch(/^not valid YAML: /);
  });

  it("reports a duplicated key", () => {
    const [problem] = problemsOf("label: a\nlabel: b\n");
    expect(problem).toMatchObject({ path: "(yaml)", line: 2, column: 1 });
    expect(problem?.message).toContain("Map keys must be unique");
  });

  it("refuses a file that is not a mapping", () => {
    expect(problemsOf("- a\n- b\n")).toEqual([
      {
        path: "(root)",
        line: 1,
        column: 1,
        message: "the file must be a mapping of settings, but it is a list",
        fix: "start the file with settings such as `label: swarm`; see the configuration reference",
      },
    ]);
  });

  it("reads anchors and aliases used as people use them", () => {
    const result = parseRepoConfig(
      "validation:\n  commands: &checks [npm test, npm run lint]\n  ci: *checks\n",
    );
    expect(result).toMatchObject({
      ok: true,
      config: { validation: { commands: ["npm test", "npm run lint"], ci: ["npm test", "npm run lint"] } },
    });
  });

  it(`refuses an alias bomb (more than ${MAX_CONFIG_ALIASES} expansions) with the first alias's place`, () => {
    const text = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    ].join("\n");
    expect(problemsOf(text)).toEqual([
      {
        path: "(yaml)",
        line: 2,
        column: 8,
        message: `its aliases (*name) expand to more than ${MAX_CONFIG_ALIASES} copies, the most swarm allows (an alias bomb makes a small file huge)`,
        fix: "write the values out, or use fewer anchors (&name) and aliases",
      },
    ]);
  });

  it("refuses text and bytes over the size limit, with both numbers, before parsing them", () => {
    const text = `label: swarm\n${"#".repeat(MAX_CONFIG_BYTES)}\n`;
    const expected = {
      path: "(file)",
      message: `the file is 256 KiB (${MAX_CONFIG_BYTES + 14} bytes); swarm reads a config of at most 256 KiB (262144 bytes)`,
      fix: "keep only swarm's settings in it (a config is a page of keys); move anything long elsewhere",
    };
    expect(problemsOf(text)).toEqual([expected]);
    expect(parseRepoConfig(new TextEncoder().encode(text))).toEqual({ ok: false, problems: [expected] });
    // Counted in UTF-8 bytes, not characters: 100 000 three-byte characters are 300 000 bytes.
    expect(problemsOf(`label: ${"€".repeat(100_000)}\n`)[0]?.message).toMatch(/\(300008 bytes\)/);
  });

  it("refuses bytes that are not UTF-8 and text that came decoded from them, with the line", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("label: ok\nbaseBranch: caf"), 0xe9, 0x0a]);
    const expected = {
      path: "(file)",
      line: 2,
      column: 1,
      message: "the file is not UTF-8 text (line 2 has bytes that are not UTF-8)",
      fix: "save the file as UTF-8 (your editor's encoding setting), or retype the characters on that line",
    };
    expect(parseRepoConfig(bytes)).toEqual({ ok: false, problems: [expected] });
    expect(problemsOf(new TextDecoder().decode(bytes))).toEqual([expected]);
    // A real U+FFFD in valid UTF-8 bytes is text like any other.
    expect(parseRepoConfig(new TextEncoder().encode("label: \uFFFD\n"))).toMatchObject({ ok: true });
  });

  it("refuses a binary file", () => {
    expect(problemsOf("label: x\n\u0000\u0001")).toEqual([
      {
        path: "(file)",
        line: 2,
        column: 1,
        message: "the file is binary (a NUL byte on line 2), not YAML text",
        fix: "write the config as UTF-8 text; `swarm config schema` prints the keys it may hold",
      },
    ]);
  });

  it("refuses a scalar at the top level, and nesting too deep to parse, without throwing", () => {
    expect(problemsOf("42\n")[0]).toMatchObject({
      path: "(root)",
      message: expect.stringContaining("but it is 42"),
    });
    expect(problemsOf(`a: ${"[".repeat(50_000)}${"]".repeat(50_000)}`)).toEqual([
      {
        path: "(yaml)",
        message:
          "the YAML nests too deeply to be read (lists or mappings inside each other thousands of levels down)",
        fix: "simplify the file: a config is a shallow mapping of settings, such as `label: swarm`",
      },
    ]);
  });
});
