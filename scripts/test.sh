#!/usr/bin/env bash
# Runs the whole sockspec test suite on a fresh machine: installs what the tests need
# (Debian packages, npm packages under e2e/), then vet, gofmt, race tests and short fuzz runs.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
/usr/bin/python3 -c 'import socketio, websocket, requests' >/dev/null 2>&1 || need_apt+=(python3-socketio python3-websocket python3-requests)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "== npm packages for the end-to-end tests"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)

echo "== go mod download, vet, gofmt"
go mod download
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './e2e/node_modules/*'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

echo "== go test -race"
# Screenshots and other test artifacts (the docs page in headless Chromium) land here.
export SOCKSPEC_ARTIFACTS="${SOCKSPEC_ARTIFACTS:-$PWD/artifacts}"
mkdir -p "$SOCKSPEC_ARTIFACTS"
go test -race -count=1 -timeout 20m ./...

echo "== fuzz targets (a few seconds each)"
./scripts/fuzz.sh "${FUZZTIME:-5s}"
