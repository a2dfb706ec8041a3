#!/usr/bin/env node
// Runs the compiled CLI. `npm ci` and `npm install` build it (the `prepare` script); `npm run build` rebuilds.
try {
  await import("../dist/entry/cli.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/entry/cli.js")) {
    process.stderr.write(
      "swarm is not built yet.\n    fix: run `npm run build` in the swarm folder (npm ci does it too).\n",
    );
    process.exit(1);
  }
  throw error;
}
