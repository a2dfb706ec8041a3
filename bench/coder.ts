// npm run bench:coder — what a coder's tools cost, and what the three ecosystem episodes take.
// 1. A bash command in the node's sandbox: the bash tool in a persistent session (the command, then the
//    ownership check of the working copy), against the session alone and a fresh sandbox per command.
// 2. An editor call on a 300-line TypeScript file: a view, and a str_replace with its syntax check.
// 3. The TypeScript, Python and Go episodes (test/support/ecosystem-episodes.ts) through the real node runner
//    with the real toolchains: turns, tool calls, input and output tokens, wall time. The model is swarm's
//    scripted agent on the fake Messages API, not Claude: its token counts are the fake's (four characters a
//    token) and say how much context the tools and prompts put in front of a model, not what Claude would write.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntaxErrors } from "../src/context/syntax-errors.js";
import { bashTool } from "../src/pipeline/code/bash-tool.js";
import { editorTool } from "../src/pipeline/code/editor-tool.js";
import { createOwnershipGuard } from "../src/pipeline/code/ownership-guard.js";
import { runSandboxed } from "../src/sandbox/run-sandboxed.js";
import { openShellSession } from "../src/sandbox/shell-session.js";
import { openWorkingCopy } from "../src/workspace/local-working-copy.js";
import { EPISODES } from "../test/support/ecosystem-episodes.js";
import { startFakeAnthropic } from "../test/support/fake-anthropic/server.js";
import { startNodeRig } from "../test/support/node-rig.js";

const ROUNDS = Number(process.env.ROUNDS ?? 200);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const ms = (n: number) => Number(n.toFixed(2));
async function time(rounds: number, work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds + 5; i++) {
    const started = performance.now();
    await work();
    if (i >= 5) out.push(performance.now() - started);
  }
  return out;
}

// A working copy like a small project: 60 files under git, one of them 300 lines of TypeScript.
const dir = mkdtempSync(join(tmpdir(), "swarm-bench-coder-"));
const big = Array.from({ length: 300 }, (_, i) => `export const value${i} = ${i}; // line ${i + 1}`).join(
  "\n",
);
writeFileSync(join(dir, "big.ts"), `${big}\n`);
for (let i = 0; i < 60; i++) writeFileSync(join(dir, `file${i}.ts`), `export const f${i} = ${i};\n`);
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=b", "-c", "user.email=b@example.com", ...args], { cwd: dir });
git("init", "-q", "-b", "main");
git("add", "-A");
git("commit", "-qm", "start");

const copy = await openWorkingCopy(dir);
const node = { id: "bench", owns: ["big.ts", "new/**"] };
const guard = await createOwnershipGuard({ copy, node, protectedPaths: [] });
const shell = openShellSession({ cwd: dir, commandTimeoutMs: 30_000, keepOutputBytes: 30_000 });
const bash = bashTool({ shell, guard, commandSeconds: 30 });
const editor = editorTool({
  copy,
  node,
  protectedPaths: [],
  maxCharacters: 40_000,
  syntaxCheck: syntaxErrors,
});

const bashTimes = await time(ROUNDS, () => bash.run({ command: "true" } as never));
const sessionTimes = await time(ROUNDS, () => shell.run("true"));
const freshTimes = await time(Math.min(ROUNDS, 60), () => runSandboxed({ cwd: dir, command: ["true"] }));
await shell.close();
let flip = false;
const viewTimes = await time(ROUNDS, () =>
  editor.run({ command: "view", path: "big.ts", view_range: [100, 160] } as never),
);
const replaceTimes = await time(ROUNDS, () => {
  flip = !flip;
  const [from, to] = flip ? ["value150 = 150;", "value150 = 151;"] : ["value150 = 151;", "value150 = 150;"];
  return editor.run({ command: "str_replace", path: "big.ts", old_str: from, new_str: to } as never);
});

console.log(`coder tools: ${ROUNDS} calls each, in a git working copy of 61 files`);
console.log("what                                            p50 ms   p95 ms");
const row = (name: string, xs: number[]) =>
  console.log(
    `${name.padEnd(46)} ${pct(xs, 50).toFixed(2).padStart(7)} ${pct(xs, 95).toFixed(2).padStart(8)}`,
  );
row("bash tool: `true` in the session + ownership", bashTimes);
row("  the session alone", sessionTimes);
row("  a fresh sandbox per command (no session)", freshTimes);
row("editor: view 60 lines of a 300-line file", viewTimes);
row("editor: str_replace, with its syntax check", replaceTimes);

// The episodes, with the real toolchains (Python and Go only where they are installed).
const anthropic = await startFakeAnthropic();
type Figures = {
  turns: number;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  seconds: number;
};
const episodes: Record<string, Figures | string> = {};
console.log(
  "\nepisodes (scripted agent on the fake Messages API, not Claude; real toolchains in the sandbox)",
);
console.log("episode       outcome  turns  tool calls  input tokens  output tokens  wall s");
for (const episode of EPISODES) {
  if (episode.needs) {
    try {
      execFileSync(episode.needs.command, episode.needs.args, { stdio: "ignore" });
    } catch {
      episodes[episode.name] =
        `skipped: ${episode.needs.command} is not installed (${episode.needs.install})`;
      console.log(`${episode.name.padEnd(13)} ${episodes[episode.name]}`);
      continue;
    }
  }
  anthropic.setModel(episode.script());
  const started = performance.now();
  const rig = await startNodeRig({ anthropic, fixture: episode.fixture, plan: episode.plan });
  const outcome = await rig.code(episode.nodeId);
  const seconds = (performance.now() - started) / 1000;
  const calls = rig.trace().filter((l) => l.role === "coder");
  const figures: Figures = {
    turns: calls.length,
    toolCalls: calls.reduce(
      (n, l) => n + (l.response?.content.filter((b) => b.type === "tool_use").length ?? 0),
      0,
    ),
    inputTokens: calls.reduce(
      (n, l) => n + (l.usage ? l.usage.inputTokens + l.usage.cacheReadTokens + l.usage.cacheWriteTokens : 0),
      0,
    ),
    outputTokens: calls.reduce((n, l) => n + (l.usage?.outputTokens ?? 0), 0),
    seconds: Number(seconds.toFixed(1)),
  };
  episodes[episode.name] = figures;
  console.log(
    `${episode.name.padEnd(13)} ${outcome.padEnd(8)} ${String(figures.turns).padStart(5)} ${String(figures.toolCalls).padStart(11)} ${String(figures.inputTokens).padStart(13)} ${String(figures.outputTokens).padStart(14)} ${figures.seconds.toFixed(1).padStart(7)}`,
  );
}
await anthropic.stop();

console.log(
  JSON.stringify({
    bench: "coder",
    rounds: ROUNDS,
    bash_ms_p50: ms(pct(bashTimes, 50)),
    bash_ms_p95: ms(pct(bashTimes, 95)),
    session_ms_p50: ms(pct(sessionTimes, 50)),
    fresh_sandbox_ms_p50: ms(pct(freshTimes, 50)),
    view_ms_p50: ms(pct(viewTimes, 50)),
    view_ms_p95: ms(pct(viewTimes, 95)),
    str_replace_ms_p50: ms(pct(replaceTimes, 50)),
    str_replace_ms_p95: ms(pct(replaceTimes, 95)),
    target_bash_ms_p50: 30,
    episodes,
    model: "scripted (test/support/ecosystem-episodes.ts), not Claude",
  }),
);
