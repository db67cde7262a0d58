#!/usr/bin/env bash
# Runs a selection of the Windows tests many times in one Wine prefix, to catch an intermittent failure:
#   scripts/windows/repeat-wine.sh RUNS FILTER [ENGINE...]      (engines as test/windows/run.js; default rio)
# FILTER selects tests by name (FASTPORT_WIN_TEST_FILTER); FASTPORT_WIN_REPEAT_CPUS=0 runs node.exe pinned
# to those CPUs (taskset), to squeeze the I/O threads onto one core. Needs what `npm run test:windows` built
# (build-win/, the bundled cases, node.exe). One line per run (its ok / not ok / '#' lines, times in ms),
# the output of failing runs kept in a printed directory, then 'N of M runs failed' (exit 1 if N > 0).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source scripts/windows/wine-env.sh
if [ "$#" -lt 2 ]; then
  echo "usage: $0 RUNS FILTER [ENGINE...]" >&2
  exit 2
fi
runs="$1"
export FASTPORT_WIN_TEST_FILTER="$2"
shift 2
engines=("${@:-rio}")
for need in build-win/fastport.node build-win/ws-conformance.js "$wine_node_exe"; do
  [ -f "$need" ] || { echo "repeat-wine: $need missing: run npm run test:windows once" >&2; exit 1; }
done
pin=()
if [ -n "${FASTPORT_WIN_REPEAT_CPUS:-}" ]; then pin=(taskset -c "$FASTPORT_WIN_REPEAT_CPUS"); fi

kept="$(mktemp -d /tmp/fastport-wine-failures.XXXXXX)"
out="$(mktemp /tmp/fastport-wine-out.XXXXXX)"
cleanup() {
  wine_prefix_remove
  rm -f "$out"
  rmdir "$kept" 2>/dev/null || true  # kept only when a run failed
}
trap cleanup EXIT
wine_prefix_create
failed=0
for ((i = 1; i <= runs; i++)); do
  set +e
  # Output must go to a file under Wine (a pipe fails with EBADF).
  "${pin[@]}" timeout 600 wine "$wine_node_exe" test/windows/run.js build-win/fastport.node "${engines[@]}" \
    >"$out" 2>&1
  rc=$?
  set -e
  if [ "$rc" -ne 0 ] || ! grep -qE '^windows: [1-9][0-9]* passed, 0 failed' "$out"; then
    failed=$((failed + 1))
    cp "$out" "$kept/run-$i.txt"
  fi
  echo "run $i (exit $rc): $(grep -E '^(ok|not ok|#) ' "$out" | cut -c1-400 | tr '\n' ' ')"
done
[ "$failed" -eq 0 ] || echo "repeat-wine: outputs of the failing runs in $kept"
echo "$failed of $runs runs failed"
[ "$failed" -eq 0 ]
