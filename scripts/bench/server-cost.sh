#!/usr/bin/env bash
# Server CPU per MB echoed: a cost figure that a shared, busy machine barely changes (throughput does).
# Starts one echo server pinned to cpu 0, drives it from cpu 1 with the native load generator (closed loop,
# no warm-up so every echoed byte is counted) and reads the server's utime + stime from /proc before and
# after. Prints one line per run: engine, protocol, size, MB echoed, server CPU ms, us of CPU per MB.
#
#   scripts/bench/server-cost.sh --engine uring --size 65536 [--protocol raw|framework|reference] [--conns 100]
#     [--depth 4] [--duration 3] [--runs 3] [--perf FILE]   # --perf: perf record -e cpu-clock -g of run 1
#
# Needs `npm run build` and `npm run bench:native`. FASTPORT_ADDON=<path> measures another addon build.
set -euo pipefail
cd "$(dirname "$0")/../.."

engine=uring size=4096 protocol=raw conns=100 depth=4 duration=3 runs=3 perf_out=''
while [ $# -gt 0 ]; do
  case "$1" in
    --engine) engine=$2 ;;
    --size) size=$2 ;;
    --protocol) protocol=$2 ;;
    --conns) conns=$2 ;;
    --depth) depth=$2 ;;
    --duration) duration=$2 ;;
    --runs) runs=$2 ;;
    --perf) perf_out=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The reference server takes a fixed port: one the OS just handed out (a small race, fine for a bench).
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

max_frame=$((size + 1024 > 1048576 ? size + 1024 : 1048576))
proto_args=()
case "$protocol" in
  framework)
    server=(node dist/samples/echo/server.js --engine "$engine")
    hello=$(node -e "const h=require('./dist/bench/runner/hello.js');console.log(h.buildHelloHex(h.frameworkProtocolVersion()))")
    proto_args=(--msg-id 100 --expect-id 101 --wrap-proto --hello-hex "$hello")
    ;;
  raw) server=(node dist/samples/echo/raw-server.js --engine "$engine" --max-frame-bytes "$max_frame") ;;
  reference) server=(build-bench/echo-server) engine=c++ ;;
  *) echo "--protocol raw | framework | reference" >&2; exit 2 ;;
esac
hz=$(getconf CLK_TCK)

for run in $(seq 1 "$runs"); do
  log="$tmp/server-$run.log"
  if [ "$protocol" = reference ]; then port=$(free_port); else port=0; fi
  LOG_LEVEL=info taskset -c 0 "${server[@]}" --port "$port" >"$log" 2>&1 &
  pid=$!
  if [ "$protocol" != reference ]; then
    for _ in $(seq 1 100); do grep -qs '"port":' "$log" && break; sleep 0.1; done
    port=$(grep -o '"port":[0-9]*' "$log" | head -1 | cut -d: -f2)
  else
    for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  fi
  if [ -z "$port" ]; then cat "$log" >&2; kill "$pid"; exit 1; fi
  perf_pid=''
  if [ -n "$perf_out" ] && [ "$run" = 1 ]; then
    perf record -q -e cpu-clock -g -p "$pid" -o "$perf_out" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  before=$(cpu_ticks "$pid")
  taskset -c 1 build-bench/loadgen --port "$port" --conns "$conns" --depth "$depth" --size "$size" \
    --max-frame "$max_frame" --duration "$duration" --warmup 0 --verify "${proto_args[@]}" >"$tmp/load.json"
  after=$(cpu_ticks "$pid")
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
  kill "$pid"
  wait "$pid" || true
  node -e "
    const r = JSON.parse(require('fs').readFileSync('$tmp/load.json', 'utf8'));
    if (r.errors || r.verify_errors || r.lost_connections) throw new Error('load errors: ' + JSON.stringify(r));
    const mb = (r.received * $size) / 1048576;
    const cpuMs = (($after - $before) * 1000) / $hz;
    console.log('$engine $protocol size=$size run=$run MB=' + mb.toFixed(0) + ' cpu_ms=' + cpuMs.toFixed(0) +
      ' us_per_MB=' + ((cpuMs * 1000) / mb).toFixed(0) + ' msgs_per_s=' + r.msgs_per_s.toFixed(0));
  "
done
