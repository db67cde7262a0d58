#!/bin/sh
# Runs the transport contract suite and the fault suites' native rows against the ASan+UBSan addon
# (build-asan/, from `npm run build:native:asan`). node itself is not sanitized, so libasan is preloaded;
# leak checking is off (node's own allocations at exit are not ours to report). Any ASan/UBSan report fails.
set -eu
cd "$(dirname "$0")/../.."
ADDON=build-asan/Release/fastport.node
[ -f "$ADDON" ] || npm run -s build:native:asan
LIBASAN=$(g++ -print-file-name=libasan.so)
LIBUBSAN=$(g++ -print-file-name=libubsan.so)
LOG=$(mktemp -d)/asan
export FASTPORT_ADDON="$PWD/$ADDON"
export LD_PRELOAD="$LIBASAN $LIBUBSAN"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$LOG"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$LOG"
export FASTPORT_ENGINES="${FASTPORT_ENGINES:-epoll,uring}"
export FASTPORT_FAULT_ENGINES="${FASTPORT_FAULT_ENGINES:-epoll,uring}"
status=0
npx vitest run --no-file-parallelism test/transport/contract.test.ts test/faults/faults.test.ts test/faults/long-turn.test.ts "$@" || status=$?
if ls "$LOG".* >/dev/null 2>&1; then
  echo "sanitizer reports:" >&2
  cat "$LOG".* >&2
  status=1
fi
exit $status
