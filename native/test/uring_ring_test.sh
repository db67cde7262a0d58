#!/usr/bin/env bash
# Builds and runs the standalone io_uring kernel-layer test (no Node needed).
set -euo pipefail
cd "$(dirname "$0")"
out="${TMPDIR:-/tmp}/fastport_uring_ring_test"
g++ -std=c++20 -O1 -g -Wall -Wextra -I../src -o "$out" uring_ring_test.cc ../src/uring/ring.cc ../src/uring/buffer_ring.cc \
  ../src/uring/send_slices.cc ../src/uring/probe.cc ../src/uring/uring_sys.cc
"$out"
