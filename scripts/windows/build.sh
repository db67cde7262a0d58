#!/usr/bin/env bash
# Cross-compiles the addon for Windows x64 into build-win/fastport.node (mingw-w64, posix threads).
# Needs: g++-mingw-w64-x86-64-posix (apt). Node-API symbols come from an import library made from
# node-api-headers' def file (the addon binds to them in node.exe at load time).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${FASTPORT_WIN_BUILD_DIR:-$root/build-win}"
jobs="${FASTPORT_WIN_JOBS:-2}"
command -v x86_64-w64-mingw32-g++-posix >/dev/null || {
  echo "build-win: x86_64-w64-mingw32-g++-posix missing (apt-get install g++-mingw-w64-x86-64-posix)" >&2
  exit 1
}
headers="$root/node_modules/node-api-headers"
mkdir -p "$out"
if [ ! -f "$out/libnode.a" ] || [ "$headers/def/node_api.def" -nt "$out/libnode.a" ]; then
  x86_64-w64-mingw32-dlltool -d "$headers/def/node_api.def" -l "$out/libnode.a" -D node.exe
fi
cmake -S "$root/native" -B "$out" \
  -DCMAKE_TOOLCHAIN_FILE="$root/scripts/windows/mingw-w64.cmake" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_JS_VERSION=mingw-cross \
  -DCMAKE_JS_INC="$headers/include" \
  -DCMAKE_JS_LIB="$out/libnode.a" >"$out/configure.log" || { cat "$out/configure.log" >&2; exit 1; }
cmake --build "$out" -j"$jobs" --target fastport
echo "build-win: $out/fastport.node"
