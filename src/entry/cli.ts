import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { configJsonSchema } from "../domain/config/config-json-schema.js";
import { formatConfigProblems } from "../domain/config/format-config-problems.js";
import { parseRepoConfig } from "../domain/config/parse-repo-config.js";
import { RepoConfigSchema } from "../domain/config/repo-config.js";
import { formatSandboxResult } from "../sandbox/format-sandbox-result.js";
import { parseFailures } from "../sandbox/parse/parse-failures.js";
import { runSandboxed } from "../sandbox/run-sandboxed.js";
import { limitsFromConfig } from "../sandbox/sandbox-types.js";
import { EXIT, failCli } from "./cli-failure.js";

const DEFAULT_CONFIG = ".github/swarm.yml";

async function validateConfig(path: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : `cannot read it (${code})`;
    process.stderr.write(
      `${path}: ${why}.\n    fix: pass the path of your swarm.yml, or create ${DEFAULT_CONFIG}.\n`,
    );
    return 1;
  }
  const result = parseRepoConfig(text);
  if (!result.ok) {
    process.stderr.write(`${formatConfigProblems(path, result.problems)}\n`);
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
  .argument("<command...>", "the command, after --")
  .action(async (words: string[], options: { cwd: string; network?: boolean }) => {
    const cwd = resolve(options.cwd);
    // Limits and mode come from the repository's own .github/swarm.yml, as they would in a run.
    const configPath = join(cwd, DEFAULT_CONFIG);
    let config = RepoConfigSchema.parse({});
    if (existsSync(configPath)) {
      const parsed = parseRepoConfig(await readFile(configPath, "utf8"));
      if (!parsed.ok) {
        process.stderr.write(`${formatConfigProblems(configPath, parsed.problems)}\n`);
        process.exitCode = 1;
        return;
      }
      config = parsed.config;
    }
    const command = words.join(" ");
    try {
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
    try {
      const { plan, turns, trace } = await planLocally({
        repo: options.repo,
        spec: options.spec,
        env: process.env,
        runsDir: process.env.SWARM_RUNS_DIR ?? ".swarm/runs",
        ...(options.replay ? { replay: options.replay } : {}),
      });
      process.stdout.write(`${options.json ? JSON.stringify(plan, null, 2) : formatPlan(plan)}\n`);
      process.stderr.write(
        `swarm plan: ${plan.nodes.length} nodes in ${turns} planner turn${turns === 1 ? "" : "s"}; trace: ${trace}\n`,
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
    const { startSetup } = await import("./setup.js");
    try {
      const setup = await startSetup({ url: options.url, port: Number(options.port), dir: ".swarm/setup" });
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
  .action(async (options: { repo: string; spec: string; replay?: string }) => {
    const { runLocally } = await import("./run-locally.js");
    const { createProgressBoard } = await import("./progress-board.js");
    const board = createProgressBoard(process.stdout);
    // The first Ctrl-C cancels the run and still writes the report; a second one quits at once.
    const abort = new AbortController();
    const interrupt = () => {
      if (abort.signal.aborted) process.exit(130);
      process.stderr.write("\nswarm run: cancelling (Ctrl-C again to quit at once)\n");
      abort.abort();
    };
    process.on("SIGINT", interrupt);
    try {
      const result = await runLocally({
        signal: abort.signal,
        repo: options.repo,
        spec: options.spec,
        env: process.env,
        runsDir: process.env.SWARM_RUNS_DIR ?? ".swarm/runs",
        ...(options.replay ? { replay: options.replay } : {}),
        onEvent: (e) => board.handle(e),
      });
      board.stop();
      const green = result.status === "green";
      process.stdout.write(
        [
          "",
          `${green ? "✔ green" : `✘ ${result.status}`}: ${result.headline}`,
          // Why it is not green, as swarm said it on the spec (a pull request comment on GitHub).
          ...(green ? [] : result.notes.flatMap((n) => ["", n.trim()])),
          ...(result.branch
            ? [
                `  result: branch ${result.branch} in ${result.repoDir}`,
                `  see it: git -C ${result.repoDir} diff ${result.base}...${result.branch}`,
              ]
            : []),
          `  report: ${result.report.markdown}`,
          `          ${result.report.html}`,
          "",
        ].join("\n"),
      );
      process.exitCode = green ? 0 : 1;
    } catch (error) {
      board.stop();
      failCli(error, "swarm run");
    }
  });

program
  .command("context")

  .description("Print the code context an agent would receive for a query: ranked files, signatures, code.")
  .argument("<query>", "what the work is about (a node's goal, a commit message)")
  .option("--repo <dir>", "the repository to index", ".")
  .option("--budget <tokens>", "the most tokens of context", "4000")
  .option("--files <globs>", "comma-separated paths or globs the work owns (they come first)")
  .action(async (query: string, options: { repo: string; budget: string; files?: string }) => {
    const budget = Number(options.budget);
    if (!Number.isInteger(budget) || budget < 100) {
      process.stderr.write(
        `swarm context: --budget must be a whole number of tokens, 100 or more (got "${options.budget}")\n`,
      );
      process.exitCode = 2;
      return;
    }
    const { buildIndex } = await import("../context/code-index.js");
    const { retrieve } = await import("../context/retrieve.js");
    const started = performance.now();
    const index = await buildIndex(options.repo);
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
  });

await program.parseAsync(process.argv);
