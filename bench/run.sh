#!/usr/bin/env bash
# Runs sockspec's benchmarks: every scenario against the Node reference server (npm socket.io
# 4.8.x, bench/node/server.js) and against ours (bench/server), side by side in one run. The
# server is pinned to core 1 and the load generator to core 0 with taskset; each scenario gets a
# freshly started server. Writes bench/results/<date>.json (machine, command, every result) and
# bench/results/<date>.md (table with the ratio go/node and the issue's targets).
#
#   bench/run.sh                 full run (10s measured + 3s warm-up per scenario, 10k idle conns)
#   bench/run.sh --quick         smoke run (short durations, 1000 idle conns)
#   options: --servers "node go" (also go-validate: ours through sockspec, validating every event;
#            floor: bench/floor, the least a server can do, a ceiling for echo, which it alone runs)
#            --duration 10s  --warmup 3s  --idle-conns 10000  --idle-wait 5s  --dial-rate 2000  --window 8  --connect-workers 16  --only "echo:50 idle:10000"
#            --out DIR (default bench/results)  --profile (CPU profile of our server during each
#            scenario, written next to the results; needs bench/server's -pprof endpoint)
#            --repeat N (run each scenario N times per server, alternating which goes first;
#            the table shows each server's best run, the JSON keeps all)
#            --nice N (run server and load generator at this nice level, e.g. -10 as root, so that
#            other work on a shared machine disturbs the measurement less)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CMDLINE="bench/run.sh $*"
ORIG_ARGS=("$@")

SERVERS="node go"
DURATION=10s
WARMUP=3s
IDLE_CONNS=10000
IDLE_WAIT=5s
DIAL_RATE=2000
WINDOW=8
CONNECT_WORKERS=16
ONLY=""
OUTDIR="$ROOT/bench/results"
PROFILE=0
REPEAT=1
NICE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) DURATION=2s; WARMUP=1s; IDLE_CONNS=1000; IDLE_WAIT=1s ;;
    --servers) SERVERS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --idle-conns) IDLE_CONNS="$2"; shift ;;
    --idle-wait) IDLE_WAIT="$2"; shift ;;
    --dial-rate) DIAL_RATE="$2"; shift ;;
    --window) WINDOW="$2"; shift ;;
    --connect-workers) CONNECT_WORKERS="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --out) OUTDIR="$2"; shift ;;
    --profile) PROFILE=1 ;;
    --repeat) REPEAT="$2"; shift ;;
    --nice) NICE="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# With scheduler autogroups (one per session), a process's nice value only matters inside its
# session; --nice therefore moves the run into its own session and sets that group's nice.
if [ "$NICE" != 0 ]; then
  if [ -z "${SOCKSPEC_BENCH_SESSION:-}" ] && [ -e /proc/self/autogroup ]; then
    SOCKSPEC_BENCH_SESSION=1 exec setsid -w "$0" "${ORIG_ARGS[@]}"
  fi
  if [ -e /proc/self/autogroup ]; then
    echo "$NICE" > /proc/self/autogroup || echo "run.sh: could not set the autogroup nice" >&2
  fi
fi

SCENARIOS="echo:1 echo:50 echo:200 broadcast:100 broadcast:1000 idle:$IDLE_CONNS connect:$CONNECT_WORKERS"
[ -n "$ONLY" ] && SCENARIOS="$ONLY"

# 10k idle connections need 10k descriptors in the load generator and 10k in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNS + 1000)) ]; then
  echo "run.sh: ulimit -n is $(ulimit -n), need $((IDLE_CONNS + 1000)) for $IDLE_CONNS idle connections" >&2
  exit 1
fi
command -v taskset >/dev/null || { echo "run.sh: taskset (util-linux) is required" >&2; exit 1; }
NCPU=$(nproc)
if [ "$NCPU" -lt 2 ]; then echo "run.sh: needs at least 2 cores (server on core 1, load on core 0)" >&2; exit 1; fi

TMP=$(mktemp -d)
SPID=""
cleanup() {
  if [ -n "$SPID" ]; then kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== building" >&2
go build -o "$TMP/loadgen" ./bench/loadgen
HAVE_GO_SERVER=0
if [ -f bench/server/main.go ] && go build -o "$TMP/server" ./bench/server; then HAVE_GO_SERVER=1; fi
case " $SERVERS " in *" floor "*) go build -o "$TMP/floor" ./bench/floor ;; esac
if [ ! -d e2e/node_modules/socket.io ]; then
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

# The machine, recorded with the results.
MODEL=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
SIO_VERSION=$(node -p "require('./e2e/node_modules/socket.io/package.json').version")
jq -n --arg model "$MODEL" --arg cores "$NCPU" --arg kernel "$(uname -sr)" \
  --arg go "$(go version | awk '{print $3}')" --arg node "$(node --version)" \
  --arg socketio "$SIO_VERSION" --arg mem "$(free -g | awk '/^Mem:/{print $2" GiB"}')" \
  --arg hv "$(lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*//p')" \
  --arg pin "server: taskset -c 1, load generator: taskset -c 0, nice $NICE" \
  --arg params "duration $DURATION, warm-up $WARMUP, broadcast window $WINDOW, idle wait $IDLE_WAIT, idle dial rate $DIAL_RATE/s" \
  --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git status --porcelain -- engineio socketio internal bench/server bench/node bench/loadgen *.go 2>/dev/null)" ] && echo ' (with uncommitted changes)')" \
  '{cpu: $model, cores: ($cores|tonumber), kernel: $kernel, go: $go, node: $node, "socket.io (node)": $socketio, memory: $mem, hypervisor: $hv, pinning: $pin, parameters: $params, commit: $commit}' \
  > "$TMP/machine.json"

# start_server NAME: starts it pinned to core 1 on a free port; sets SPID and SPORT.
start_server() {
  local name=$1
  : > "$TMP/server.out"
  case "$name" in
    node) nice -n "$NICE" taskset -c 1 node --expose-gc bench/node/server.js --port 0 > "$TMP/server.out" 2> "$TMP/server.err" & ;;
    go)   nice -n "$NICE" taskset -c 1 "$TMP/server" -addr 127.0.0.1:0 > "$TMP/server.out" 2> "$TMP/server.err" & ;;
    go-validate) nice -n "$NICE" taskset -c 1 "$TMP/server" -addr 127.0.0.1:0 -validate > "$TMP/server.out" 2> "$TMP/server.err" & ;;
    floor) nice -n "$NICE" taskset -c 1 "$TMP/floor" -addr 127.0.0.1:0 > "$TMP/server.out" 2> "$TMP/server.err" & ;;
    *) echo "run.sh: unknown server $name" >&2; return 1 ;;
  esac
  SPID=$!
  for _ in $(seq 1 200); do
    if grep -q '^listening ' "$TMP/server.out" 2>/dev/null; then
      SPORT=$(awk '/^listening /{print $2; exit}' "$TMP/server.out")
      return 0
    fi
    if ! kill -0 "$SPID" 2>/dev/null; then break; fi
    sleep 0.05
  done
  echo "run.sh: $name server did not start:" >&2; cat "$TMP/server.err" >&2
  return 1
}

stop_server() {
  kill "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  SPID=""
}

RESULTS="$TMP/results.jsonl"
: > "$RESULTS"
DATE=$(date -u +%Y-%m-%dT%H-%M-%SZ)
mkdir -p "$OUTDIR"
REVERSED=$(echo $SERVERS | tr ' ' '\n' | tac | tr '\n' ' ')
for sc in $SCENARIOS; do
 for rep in $(seq 1 "$REPEAT"); do
  order=$SERVERS
  [ $((rep % 2)) = 0 ] && order=$REVERSED
  for srv in $order; do
    case "$srv:$sc" in floor:echo:*) ;; floor:*) continue ;; esac # floor only answers echo
    if [ "$srv" != node ] && [ "$srv" != floor ] && [ "$HAVE_GO_SERVER" = 0 ]; then
      echo "run.sh: bench/server is missing or does not build; skipping go" >&2
      continue
    fi
    start_server "$srv"
    extra=()
    case "$sc" in idle:*) extra=(-dial-rate "$DIAL_RATE") ;; esac
    PROF_PID=""
    if [ "$PROFILE" = 1 ] && [ "$srv" != node ] && [ "$srv" != floor ]; then
      # after the warm-up, for the measured window (durations in whole seconds here)
      (sleep "${WARMUP%s}"; curl -s -o "$OUTDIR/$DATE-$srv-${sc/:/-}-$rep.cpu.pprof" \
        "http://127.0.0.1:$SPORT/debug/pprof/profile?seconds=${DURATION%s}") &
      PROF_PID=$!
    fi
    nice -n "$NICE" taskset -c 0 "$TMP/loadgen" -addr "127.0.0.1:$SPORT" -server "$srv" -pid "$SPID" \
      -duration "$DURATION" -warmup "$WARMUP" -window "$WINDOW" -idle-wait "$IDLE_WAIT" \
      "${extra[@]}" "$sc" >> "$RESULTS" || echo "run.sh: $srv $sc reported errors" >&2
    if [ -n "$PROF_PID" ]; then wait "$PROF_PID" || true; fi
    stop_server
  done
 done
done

"$TMP/loadgen" report -in "$RESULTS" -machine "$TMP/machine.json" -command "$CMDLINE" \
  -date "$DATE" -out "$OUTDIR/$DATE"
echo "== wrote $OUTDIR/$DATE.json and $OUTDIR/$DATE.md" >&2
