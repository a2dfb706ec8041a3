import { existsSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Help } from "commander";
import { configJsonSchema } from "../domain/config/config-json-schema.js";
import { RepoConfigSchema } from "../domain/config/repo-config.js";
import { InputError } from "../domain/errors.js";
import { formatSandboxResult } from "../sandbox/format-sandbox-result.js";
import { parseFailures } from "../sandbox/parse/parse-failures.js";
import { runSandboxed } from "../sandbox/run-sandboxed.js";
import { limitsFromConfig } from "../sandbox/sandbox-types.js";
import { EXIT, failCli } from "./cli-failure.js";
import { explainCommanderError } from "./explain-commander-error.js";
import { parseSetupOptions } from "./parse-setup-options.js";
import { readConfigFile } from "./read-config-file.js";
import { requireFolder } from "./require-folder.js";
import { sandboxCommandNote } from "./sandbox-command-note.js";
import { shellQuote } from "./terminal-text.js";

const DEFAULT_CONFIG = ".github/swarm.yml";

// Output piped into a reader that stopped early (`swarm --help | head`) is no error worth a stack.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });

async function validateConfig(path: string): Promise<number> {
  const result = await readConfigFile(path, DEFAULT_CONFIG);
  if (!result.ok) {
    process.stderr.write(`${result.message}\n`);
    return 1;
  }
  process.stdout.write(`${path}: valid.\n`);
  return 0;
}

const program = new Command("swarm")
  .description(
    "Turns a labelled GitHub issue into a reviewed, green pull request with parallel coding agents.",
  )
  .version(process.env.npm_package_version ?? "0.1.0")
  .option("--debug", "show the stack of an unexpected error (or set SWARM_DEBUG=1)")
  .showHelpAfterError()
  .hook("preAction", (command) => {
    if (command.opts().debug) process.env.SWARM_DEBUG = "1";
  });

const config = program.command("config").description("Check and describe .github/swarm.yml.");
config
  .command("validate")
  .argument("[path]", "config file to check", DEFAULT_CONFIG)
  .description(
    "Check a swarm.yml: prints each problem with its place in the file and its fix; exits 1 on problems.",
  )
  .action(async (path: string) => {
    process.exitCode = await validateConfig(path);
  });
config
  .command("schema")
  .description("Print the JSON Schema of swarm.yml, for editors.")
  .action(() => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

program
  .command("sandbox")
  .description(
    "Run a command exactly as an agent's check would run, and print the result and the failures found in it.",
  )
  .option("--cwd <dir>", "the working copy to run in", ".")
  .option("--network", "let the command reach the network, as an install step may")
  .argument(
    "<command...>",
    "after --: one word is a shell command line ('npm test && npm run lint'); several are a program and its arguments, passed as given",
  )
  .action(async (words: string[], options: { cwd: string; network?: boolean }) => {
    try {
      const cwd = requireFolder(
        options.cwd,
        "--cwd",
        "pass --cwd the folder of the working copy to run in (it defaults to the current folder)",
      );
      // Limits and mode come from the repository's own .github/swarm.yml, as they would in a run.
      const configPath = join(cwd, DEFAULT_CONFIG);
      let config = RepoConfigSchema.parse({});
      if (existsSync(configPath)) {
        const parsed = await readConfigFile(configPath, DEFAULT_CONFIG);
        if (!parsed.ok) {
          process.stderr.write(`${parsed.message}\n`);
          process.exitCode = EXIT.badInput; // nothing ran: the repository's config is bad input
          return;
        }
        config = parsed.config;
      }
      // One word is a command line, as validation.commands are; several words reach the program as given,
      // each quoted for the shell, so `sh -c 'echo one two'` stays three words.
      const command = words.length === 1 ? (words[0] ?? "") : words.map(shellQuote).join(" ");
      const result = await runSandboxed({
        cwd,
        command,
        network: options.network ?? false,
        mode: config.sandbox.mode,
        limits: limitsFromConfig(config.sandbox),
      });
      process.stdout.write(
        `${formatSandboxResult(command, result, parseFailures(`${result.stdoutTail}\n${result.stderrTail}`))}\n`,
      );
      const note = sandboxCommandNote(words, result);
      if (note) process.stderr.write(`${note}\n`);
      process.exitCode = result.exitCode ?? 1;
    } catch (error) {
      failCli(error, "swarm sandbox");
    }
  });

program
  .command("worker")
  .description(
    "Serve the plan, command, node, integrate and review queues (any number of workers can share one Redis). SIGTERM drains.",
  )
  .action(async () => (await import("./run-worker.js")).runWorker(process.env));

program
  .command("server")
  .description(
    "Serve GitHub's webhooks, /healthz, /readyz, /metrics and the queue dashboard at /admin/queues. Needs APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH) and WEBHOOK_SECRET.",
  )
  .action(async () => (await import("./run-server.js")).runServer(process.env));

program
  .command("plan")
  .description(
    "Print the plan the planner makes for a spec file against a local git repository (changes nothing).",
  )
  .requiredOption("--repo <dir>", "the local git repository")
  .requiredOption("--spec <file>", "the spec: a Markdown file whose first `# heading` is its title")
  .option("--replay <trace>", "answer from a recorded trace.jsonl instead of the API")
  .option("--json", "print the plan as JSON")
  .action(async (options: { repo: string; spec: string; replay?: string; json?: boolean }) => {
    const { planLocally, formatPlan } = await import("./plan-locally.js");
    const { describeEstimate } = await import("../domain/estimate/describe-estimate.js");
    try {
      const { plan, turns, trace, estimate } = await planLocally({
        repo: options.repo,
        spec: options.spec,
        env: process.env,
        ...(options.replay ? { replay: options.replay } : {}),
      });
      process.stdout.write(`${options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, estimate)}\n`);
      // The JSON on stdout stays the plan alone (its schema); the estimate is said here either way.
      process.stderr.write(
        `swarm plan: ${plan.nodes.length} nodes in ${turns} planner turn${turns === 1 ? "" : "s"}; estimate ${describeEstimate(estimate)}; trace: ${trace}\n`,
      );
    } catch (error) {
      failCli(error, "swarm plan");
    }
  });

program
  .command("setup")
  .description(
    "Register swarm's GitHub App from app.yml with Probot's manifest flow: open the page it serves, press the button; the App's credentials land in .env.",
  )
  .requiredOption(
    "--url <url>",
    "the public URL where `swarm server` will listen (webhooks go to <url>/api/github/webhooks)",
  )
  .option("--port <port>", "the local port of the setup page", "3000")
  .action(async (options: { url: string; port: string }) => {
    try {
      // Checked before Probot is loaded, so nothing starts and nothing is written on a bad URL or port.
      const { url, port } = parseSetupOptions(options);
      const { startSetup } = await import("./setup.js");
      const setup = await startSetup({ url, port, dir: ".swarm/setup" });
      process.stdout.write(
        `swarm setup: open http://localhost:${setup.port}/probot to register the App; its credentials will be written to ${setup.env}\n`,
      );
      process.once("SIGTERM", () => void setup.stop().then(() => process.exit(0)));
      process.once("SIGINT", () => void setup.stop().then(() => process.exit(0)));
    } catch (error) {
      failCli(error, "swarm setup");
    }
  });

program
  .command("action")

  .description(
    "The GitHub Action's entry point: acts on the workflow's event (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) with SWARM_GITHUB_TOKEN; queues the job on REDIS_URL if set, else does it here.",
  )
  .action(async () => {
    const { runAction, ActionEnvError } = await import("./action.js");
    try {
      const result = await runAction(process.env);
      process.stdout.write(`swarm action: ${result.summary}\n`);
      process.exitCode = result.failed ? 1 : 0;
    } catch (error) {
      if (!(error instanceof ActionEnvError)) return failCli(error, "swarm action");
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT.badInput;
    }
  });

program
  .command("run")

  .description(
    "Run the whole pipeline on a local git repository: plan, code the nodes in parallel on branches, merge, run the checks in the sandbox, review and revise until green; writes a report. Exits 0 only when green.",
  )
  .requiredOption("--repo <dir>", "the local git repository (a plain folder is copied into a new one)")
  .requiredOption("--spec <file>", "the spec: a Markdown file whose first `# heading` is its title")
  .option("--replay <trace>", "answer from a recorded trace.jsonl instead of the API")
  .option("--approve", "show the plan and its estimate, and ask at the terminal before coding")
  .option("--yes", "start coding without asking, when the plan waits for approval")
  .action(
    async (options: { repo: string; spec: string; replay?: string; approve?: boolean; yes?: boolean }) => {
      const { askToStart, NO_TERMINAL } = await import("./ask-to-start.js");
      // Refused before anything is planned (and paid for): there is no one to ask.
      if (options.approve && !options.yes && process.stdin.isTTY !== true) {
        process.stderr.write(NO_TERMINAL);
        process.exitCode = EXIT.badInput;
        return;
      }
      const { runLocally } = await import("./run-locally.js");
      const { runSummary } = await import("./run-summary.js");
      const { createProgressBoard } = await import("./progress-board.js");
      const { usePrivateTmp } = await import("./private-tmp.js");
      usePrivateTmp("swarm-run-");
      const board = createProgressBoard(process.stdout);
      // The first Ctrl-C (or SIGTERM) cancels the run and still writes the report; a second quits at once.
      const abort = new AbortController();
      const interrupt = () => {
        if (abort.signal.aborted) process.exit(130);
        process.stderr.write("\nswarm run: cancelling (Ctrl-C again to quit at once)\n");
        abort.abort();
      };
      process.on("SIGINT", interrupt);
      process.on("SIGTERM", interrupt);
      let noTerminal = false;
      try {
        const result = await runLocally({
          ...(options.approve ? { approve: true } : {}),
          confirmStart: async (ask) => {
            board.pause();
            try {
              const answer = await askToStart(ask, {
                yes: options.yes === true,
                terminal: { input: process.stdin, output: process.stdout },
              });
              noTerminal = answer === "no-terminal";
              return answer === true;
            } finally {
              board.resume();
            }
          },
          signal: abort.signal,
          repo: options.repo,
          spec: options.spec,
          env: process.env,
          ...(options.replay ? { replay: options.replay } : {}),
          onEvent: (e) => board.handle(e),
        });
        board.stop();
        if (noTerminal) {
          process.stderr.write(NO_TERMINAL);
          process.exitCode = EXIT.badInput;
          return;
        }
        const summary = runSummary(result);
        process.stdout.write(summary.text);
        process.exitCode = summary.exitCode;
      } catch (error) {
        board.stop();
        failCli(error, "swarm run");
      }
    },
  );

program
  .command("clean")
  .description(
    "List the local runs of a repository (their swarm/<n>-… branches and run folders), or remove one run's or every finished run's.",
  )
  .option("--repo <dir>", "the local git repository", ".")
  .option("--all", "remove every run that is not under way")
  .argument("[run]", "the run to remove: its number (swarm/<n>-…)")
  .action(async (run: string | undefined, options: { repo: string; all?: boolean }) => {
    const { cleanRuns } = await import("./clean-runs.js");
    const { InputError } = await import("../domain/errors.js");
    try {
      if (run !== undefined && !/^\d+$/.test(run))
        throw new InputError({
          problem: `"${run}" is not a run number.`,
          fix: "Pass the number of the run (the <n> of its swarm/<n>-… branches); swarm clean with no number lists them.",
        });
      const which = options.all ? "all" : run === undefined ? null : Number(run);
      process.stdout.write(`${await cleanRuns({ repo: options.repo, which, env: process.env })}\n`);
    } catch (error) {
      failCli(error, "swarm clean");
    }
  });

program
  .command("eval")
  .description(
    "Measure swarm on tasks with hidden tests: each task is run as `swarm run` does, in a fresh copy, then its hidden tests decide whether it was solved. Prints a table and writes results.jsonl, eval.json and eval.html to --out. A killed eval, started again with the same --out, resumes.",
  )
  .requiredOption(
    "--suite <path>",
    "a folder of task folders (task.yml, spec.md), or a SWE-bench-format .jsonl file",
  )
  .option("--out <dir>", "where results and reports go (an eval started again there resumes)", "swarm-eval")
  .option("--compare <way>", "also run every task with one node and one coder (`single`), side by side")
  .option("--repeat <k>", "run each task this many times", "1")
  .option("--concurrency <n>", "tasks run at once", "1")
  .option("--budget <usd>", "start no more runs once the eval has spent this much")
  .option("--scripted", "the model behind ANTHROPIC_BASE_URL is a scripted stand-in: every output says so")
  .action(
    async (options: {
      suite: string;
      out: string;
      compare?: string;
      repeat: string;
      concurrency: string;
      budget?: string;
      scripted?: boolean;
    }) => {
      const { runEval } = await import("./eval/run-eval.js");
      const { renderEvalTable, writeEvalReports } = await import("./eval/eval-report.js");
      const { InputError } = await import("../domain/errors.js");
      const { usePrivateTmp } = await import("./private-tmp.js");
      try {
        const count = (name: string, text: string) => {
          const n = Number(text);
          if (!Number.isInteger(n) || n < 1)
            throw new InputError({
              problem: `--${name} ${text} is not a whole number of 1 or more.`,
              fix: `Pass --${name} 1, 2, …`,
            });
          return n;
        };
        if (options.compare !== undefined && options.compare !== "single")
          throw new InputError({
            problem: `--compare ${options.compare} is not known.`,
            fix: "Pass --compare single.",
          });
        const budget = options.budget === undefined ? undefined : Number(options.budget);
        if (budget !== undefined && !(budget > 0))
          throw new InputError({
            problem: `--budget ${options.budget} is not an amount in USD.`,
            fix: "Pass --budget 5 for five dollars.",
          });
        usePrivateTmp("swarm-eval-");
        const outcome = await runEval({
          suite: options.suite,
          out: options.out,
          variants: options.compare ? ["swarm", "single"] : ["swarm"],
          repeat: count("repeat", options.repeat),
          concurrency: count("concurrency", options.concurrency),
          ...(budget !== undefined ? { budgetUsd: budget } : {}),
          env: process.env,
          answers: options.scripted ? "scripted" : "live",
          onProgress: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(renderEvalTable(outcome));
        const written = await writeEvalReports(options.out, outcome, options.suite);
        process.stdout.write(`results: ${written.json}\nreport: ${written.html}\n`);
        if (outcome.errors.length > 0) process.exitCode = 1;
      } catch (error) {
        failCli(error, "swarm eval");
      }
    },
  );

program
  .command("context")

  .description("Print the code context an agent would receive for a query: ranked files, signatures, code.")
  .argument("<query>", "what the work is about (a node's goal, a commit message)")
  .option("--repo <dir>", "the repository to index", ".")
  .option("--budget <tokens>", "the most tokens of context", "4000")
  .option("--files <globs>", "comma-separated paths or globs the work owns (they come first)")
  .action(async (query: string, options: { repo: string; budget: string; files?: string }) => {
    try {
      const budget = /^\s*\d+\s*$/.test(options.budget) ? Number(options.budget) : Number.NaN;
      if (!(budget >= 100))
        throw new InputError({
          problem: `--budget "${options.budget}" is not a whole number of tokens, 100 or more.`,
          fix: "pass --budget a number of tokens such as 4000 (the default), or leave it out",
        });
      // A plain folder is indexed too (its files are walked, without dependency folders); git is not needed.
      const repo = requireFolder(
        options.repo,
        "--repo",
        "pass --repo the folder of the code to index (a git repository or a plain folder)",
      );
      const { buildIndex } = await import("../context/code-index.js");
      const { retrieve } = await import("../context/retrieve.js");
      const started = performance.now();
      const index = await buildIndex(repo);
      const files =
        options.files
          ?.split(",")
          .map((f) => f.trim())
          .filter(Boolean) ?? [];
      const context = await retrieve(index, { text: query, files }, budget);
      process.stdout.write(`${context.text}\n`);
      process.stderr.write(
        `swarm context: ${index.files.size} files indexed in ${Math.round(performance.now() - started)} ms; ${context.files.length} files, about ${context.tokens} tokens\n`,
      );
    } catch (error) {
      failCli(error, "swarm context");
    }
  });

// `swarm --help` lists `run` first (what most people came for), with an example; `run --help` names the
// environment it reads. The `run` block above stays where it is; only the listing is reordered.
program.configureHelp({
  visibleCommands(cmd) {
    const commands = Help.prototype.visibleCommands.call(this, cmd);
    return [...commands.filter((c) => c.name() === "run"), ...commands.filter((c) => c.name() !== "run")];
  },
});
program.addHelpText(
  "after",
  [
    "",
    "Example:",
    "  npx swarm run --repo . --spec issue.md    plan, code, check and review issue.md on this repository",
    "",
    "Exit codes: 0 done (green), 1 the run or the command failed, 2 bad input (a wrong option, file or folder), 3 not verified (no checks ran).",
    "Each command has its own help: swarm <command> --help.",
  ].join("\n"),
);
program.commands
  .find((c) => c.name() === "run")
  ?.addHelpText(
    "after",
    [
      "",
      "Example:",
      "  npx swarm run --repo . --spec issue.md",
      "",
      "Environment:",
      "  ANTHROPIC_API_KEY   the key for Claude; without it, a trace recorded beside the spec",
      "                      (issue.md -> issue.trace.jsonl) answers, or --replay does",
      "  ANTHROPIC_BASE_URL  another address for the Messages API (a proxy or a gateway)",
      "  SWARM_RUNS_DIR      where each run's folder goes: state, trace, report (default .git/swarm/runs of the repository)",
      "  SWARM_CACHE_DIR     the install step's download cache, kept between runs",
      "                      (default ~/.cache/swarm/downloads)",
      "  SWARM_DEBUG=1       show the stack of an unexpected error (the same as --debug)",
      "",
      "Exit codes: 0 green, 1 failed (the report says why), 2 bad input (nothing was started), 3 not verified (no checks are configured, or none passed).",
    ].join("\n"),
  );

// Commander's own errors (an unknown command or option, a missing argument) say the problem and the fix
// in swarm's form and exit 2, as any bad input does; help and --version exit 0.
const everyCommand = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(everyCommand)];
for (const cmd of everyCommand(program)) {
  cmd.showHelpAfterError(false);
  cmd.exitOverride();
  cmd.configureOutput({ outputError: (text, write) => write(explainCommanderError(cmd, text)) });
}
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) failCli(error, "swarm");
  else process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput; // help and --version are 0
}
