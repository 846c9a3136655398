#!/usr/bin/env bash
# build.sh [normal|asan|fuzz]: configures and builds one flavour into build/, build-asan/ or
# build-fuzz/. Incremental: a second call only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
case "${1:-normal}" in
normal) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
asan) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DTLSWHY_SANITIZE=ON) ;;
fuzz) dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DTLSWHY_FUZZ=ON -DTLSWHY_TESTS=OFF) ;;
*) echo "usage: $0 [normal|asan|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" "${args[@]}" >/dev/null
cmake --build "$dir" -j "$jobs" >/dev/null || cmake --build "$dir" -j 1
echo "$dir"
