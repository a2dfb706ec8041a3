import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The fixture repositories' own tests run inside them, in the sandbox, never here.
    exclude: [...configDefaults.exclude, "test/fixtures/**"],
    globalSetup: ["test/support/build-once.ts"],
    testTimeout: 20_000,
    // Two files at once even on two cores (vitest's default would be one): most of a file's time is spent
    // waiting on child processes (git, the sandbox, the CLI, the fakes). Every file keeps its own state: a
    // Redis prefix of its own (the chaos suite, its own Redis servers), its own temporary folders and ports.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
