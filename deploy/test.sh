#!/usr/bin/env bash
# StockSync's test command (the README's, and CI's).
#
# Installs RabbitMQ and PostgreSQL from the OS packages where they are missing, starts private instances of both
# on loopback (deploy/test-infra.sh), runs the whole test suite against them, stops them again, and ends with the
# line "N passed, N failed". Extra arguments go to `dotnet test` (for example: --filter "FullyQualifiedName~Ledger").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
bash deploy/test-infra.sh \
  dotnet test StockSync.sln --configuration Release \
    --logger "console;verbosity=detailed" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# `dotnet test` prints one summary per test assembly ("Passed: N", "Failed: N"); add them up into the closing line.
count() { awk -v key="$1" '{ line = $0; while (match(line, key ": +[0-9]+")) { n += substr(line, RSTART + length(key) + 1) + 0; line = substr(line, RSTART + RLENGTH) } } END { print n + 0 }' "$log"; }
passed=$(count Passed)
failed=$(count Failed)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The run broke before or outside the tests (build error, infrastructure): count it as a failure.
  failed=1
fi
if [ "$failed" -gt 0 ]; then
  # Name the failures (with the head of their messages) next to the summary, where a truncated CI log still shows them.
  echo "Failed tests:"
  grep -E -A4 '^ +Failed [A-Za-z_]' "$log" | grep -v -E '^ +Stack Trace:|^--$' | cut -c1-400 | head -n 60 || true
fi
echo "$passed passed, $failed failed"
exit "$status"
