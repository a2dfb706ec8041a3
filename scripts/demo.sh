#!/usr/bin/env bash
# The README's first command: the whole pipeline on the built-in example, offline but for the npm registry
# (the example's own npm ci runs in the sandbox). It installs what it
# needs on a fresh clone (npm ci, bubblewrap), then runs `swarm run` on examples/todo-app. Without
# ANTHROPIC_API_KEY the model's answers come from examples/todo-app.trace.jsonl (recorded with swarm's
# scripted model); with the key set, Claude answers. Extra arguments go to `swarm run`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure.sh

# npm ci builds dist/ too; when the dependencies are in place already, only the build is brought up to date.
# The build is incremental (tsconfig.build.json): it rewrites only the files whose sources changed, so a
# build that is current writes nothing, and a swarm process already running never loads a half-written file.
if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run --silent build
fi
ensure_bubblewrap
exec npx swarm run --repo examples/todo-app --spec examples/todo-app.spec.md "$@"
