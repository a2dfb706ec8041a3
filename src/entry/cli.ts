import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { configJsonSchema } from "../domain/config/config-json-schema.js";
import { formatConfigProblems } from "../domain/config/format-config-problems.js";
import { parseRepoConfig } from "../domain/config/parse-repo-config.js";

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
  .showHelpAfterError();

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

await program.parseAsync(process.argv);
