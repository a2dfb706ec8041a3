# Each node's own check: every source file parses.
for f in src/*.js; do node --check "$f" || exit 1; done
echo "syntax ok"
