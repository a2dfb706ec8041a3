#!/usr/bin/env bash
# The test command named in the README, and what CI runs (.ci/run, .github/workflows/ci.yml).
# On a fresh clone it installs what the tests need, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/ensure.sh

npm ci --no-audit --no-fund
ensure_redis
ensure_bubblewrap
ensure_tmux
ensure_pytest
ensure_go
ensure_chromium
npm run typecheck
npm run lint
npm test
