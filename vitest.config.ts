import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The fixture repositories' own tests run inside them, in the sandbox, never here.
    exclude: [...configDefaults.exclude, "test/fixtures/**"],
    globalSetup: ["test/support/build-once.ts"],
    testTimeout: 20_000,
  },
});
