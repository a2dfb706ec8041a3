import { execFileSync } from "node:child_process";

// CLI tests run the real bin/swarm.js, which loads dist/: compile once so they never test a stale build.
export default function setup(): void {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    stdio: "inherit",
  });
}
