#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time each (default 5s).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${1:-5s}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  targets=$(grep -h -o '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' || true)
  for t in $targets; do
    echo "-- $pkg $t"
    go test -run '^$' -fuzz "^${t}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
