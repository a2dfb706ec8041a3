// The three ecosystem episodes of a coder with a shell, as scripted agents that work as real ones do: each
// explores with bash, runs one test file, reads the real failure text, edits with the editor, gets something
// wrong once, reruns, runs the checks and finishes; every step checks what the agent was shown. The
// ecosystem test (test/e2e/coder-ecosystems.test.ts) and bench:coder run them on the fixtures in
// test/fixtures/ecosystems, with the real toolchains in the sandbox.
import { resolve } from "node:path";
import type { Plan } from "../../src/domain/plan/plan.js";
import { type AgentScript, agentScript, notSaw, saw } from "./agent-script.js";
import { call } from "./fake-anthropic/agent-calls.js";
import { node } from "./plans.js";

export type Episode = {
  name: string;
  fixture: string;
  plan: Plan;
  nodeId: string;
  /** A command that must work for the episode to run, and how to get it. */
  needs?: { command: string; args: string[]; install: string };
  script: () => AgentScript;
};

const fixtures = resolve(import.meta.dirname, "../fixtures/ecosystems");
const one = (id: string, owns: string[], title: string): Plan => ({
  summary: "One node.",
  nodes: [node(id, [], owns, { title })],
});

export const EPISODES: Episode[] = [
  {
    name: "TypeScript",
    fixture: resolve(fixtures, "ts"),
    plan: one("discount", ["src/discount.ts", "test/discount.test.ts"], "Discounts"),
    nodeId: "discount",
    script: () =>
      agentScript([
        () => call.bash("ls && cat package.json && ls src test"),
        (shown) => {
          saw(shown, "cart.ts", "discount.test.ts", '"vitest": "4.1.12"');
          return call.bash('grep -rn "discounted" src test');
        },
        (shown) => {
          saw(shown, 'test/discount.test.ts:2:import { discounted } from "../src/discount.js";');
          return call.view("test/discount.test.ts");
        },
        (shown) => {
          saw(shown, "expect(discounted(99.99, 10)).toBe(89.99);");
          return call.create(
            "src/discount.ts",
            "/** The price with `percent` off. */\nexport function discounted(price: number, percent: number): number {\n  return Math.max(0, price - (price * percent) / 100);\n}\n",
          );
        },
        (shown) => {
          saw(shown, "Created src/discount.ts (5 lines).");
          return call.bash("npx vitest run test/discount.test.ts");
        },
        (shown) => {
          // vitest's own text, through the shell: the assertion and the exit code.
          saw(shown, "AssertionError: expected 89.991 to be 89.99", "exit code 1");
          return call.replace(
            "src/discount.ts",
            "  return Math.max(0, price - (price * percent) / 100);",
            "  return Math.max(0, Math.round((price - (price * percent) / 100) * 100) / 100);",
          );
        },
        (shown) => {
          saw(shown, "Successfully replaced text at exactly one location.");
          return call.bash("npx vitest run test/discount.test.ts && npx tsc --noEmit && echo TYPES-OK");
        },
        (shown) => {
          saw(shown, /Tests\s+2 passed/, "TYPES-OK", "exit code 0");
          return call.runChecks();
        },
        (shown) => {
          saw(shown, "The checks pass: all 2 commands.", "$ npx tsc --noEmit", "$ npx vitest run");
          return call.finish(
            "Added discounted() in src/discount.ts, rounded to cents; the discount tests and tsc pass.",
            "discounted(price: number, percent: number): number is exported from src/discount.ts.",
          );
        },
      ]),
  },
  {
    name: "Python",
    fixture: resolve(fixtures, "python"),
    plan: one("median", ["stats.py"], "Even medians"),
    nodeId: "median",
    needs: { command: "python3", args: ["-c", "import pytest"], install: "apt-get install python3-pytest" },
    script: () =>
      agentScript([
        () => call.bash("ls -R . | head -40"),
        (shown) => {
          saw(shown, "stats.py", "test_stats.py");
          return call.bash('grep -rn "def median" .');
        },
        (shown) => {
          saw(shown, "./stats.py:9:def median(values):");
          return call.bash("sed -n 9,13p stats.py");
        },
        (shown) => {
          saw(shown, "return ordered[len(ordered) // 2]");
          return call.bash("python3 -m pytest -q tests/test_stats.py");
        },
        (shown) => {
          // pytest's assertion, as its E line shows it.
          saw(shown, "assert 3 == 2.5", "FAILED tests/test_stats.py::test_median_even");
          return call.replace(
            "stats.py",
            "    return ordered[len(ordered) // 2]",
            "    mid = len(ordered) // 2\n    if len(ordered) % 2 == 0:\n        return (ordered[mid] + ordered[mid + 1]) / 2\n    return ordered[mid]",
          );
        },
        () => call.bash("python3 -m pytest -q tests/test_stats.py"),
        (shown) => {
          saw(shown, "assert 3.5 == 2.5");
          return call.replace(
            "stats.py",
            "(ordered[mid] + ordered[mid + 1]) / 2",
            "(ordered[mid - 1] + ordered[mid]) / 2",
          );
        },
        () => call.bash("python3 -m pytest -q tests/test_stats.py"),
        (shown) => {
          saw(shown, "3 passed", "exit code 0");
          return call.runChecks();
        },
        (shown) => {
          saw(shown, "The checks pass: all 1 command.");
          return call.finish("median() averages the two middle values of an even list; pytest passes.");
        },
      ]),
  },
  {
    name: "Go",
    fixture: resolve(fixtures, "go"),
    plan: one("fold", ["wordcount/count.go"], "Fold case"),
    nodeId: "fold",
    needs: { command: "go", args: ["version"], install: "apt-get install golang-go" },
    script: () =>
      agentScript([
        () => call.bash("ls -R && cat go.mod"),
        (shown) => {
          saw(shown, "count.go", "count_test.go", "module example.com/words");
          return call.bash("go test ./...");
        },
        (shown) => {
          saw(
            shown,
            'Count("Go go GO") = map[GO:1 Go:1 go:1], want map[go:3]',
            "--- FAIL: TestCountIgnoresCase",
          );
          return call.view("wordcount/count.go", [7, 13]);
        },
        (shown) => {
          saw(shown, "counts[word]++");
          return call.replace("wordcount/count.go", "counts[word]++", "counts[strings.ToLower(word]++");
        },
        (shown) => {
          saw(shown, "Syntax check: wordcount/count.go does not parse now");
          return call.replace("wordcount/count.go", "strings.ToLower(word]++", "strings.ToLower(word)]++");
        },
        (shown) => {
          notSaw(shown, "Syntax check");
          return call.bash("go test ./...");
        },
        (shown) => {
          saw(shown, "ok  \texample.com/words/wordcount", "exit code 0");
          return call.runChecks();
        },
        (shown) => {
          saw(shown, "The checks pass: all 2 commands.");
          return call.finish("Count folds case with strings.ToLower; go vet and go test pass.");
        },
      ]),
  },
];
