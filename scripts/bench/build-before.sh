#!/bin/sh
# Builds the addon of another commit (default: main) into build-before/, for before/after runs in one
# invocation: FASTPORT_ADDON=build-before/build/Release/fastport.node loads it (framework/transport/loader.ts),
# and the bench rows `fastport-*-before` do (bench/README.md).
# Usage: sh scripts/bench/build-before.sh [commit]
set -eu
ref="${1:-main}"
root="$(git rev-parse --show-toplevel)"
src="$root/build-before/src"
rm -rf "$src"
mkdir -p "$src"
git -C "$root" archive "$ref" native | tar -x -C "$src"
cd "$root"
npx cmake-js compile --directory "$src/native" --out build-before/build --parallel 2
echo "build-before: $(git -C "$root" rev-parse --short "$ref") -> build-before/build/Release/fastport.node"
