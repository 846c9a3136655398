#!/usr/bin/env bash
# test.sh: installs what is missing, builds the normal and the ASan+UBSan flavours and the fuzz
# harnesses, runs a bounded fuzz smoke, then the whole Check suite in both builds. The last
# line is Check's summary of the sanitizer run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

scripts/build.sh normal >/dev/null
scripts/build.sh asan >/dev/null
if [ -d fuzz ] && ls fuzz/fuzz_*.c >/dev/null 2>&1; then
    scripts/build.sh fuzz >/dev/null
    scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-20}"
fi

echo "== unit and end-to-end tests (normal build)"
TLSWHY=$PWD/build/tlswhy build/check_all
echo "== unit and end-to-end tests (ASan+UBSan build)"
TLSWHY=$PWD/build-asan/tlswhy build-asan/check_all
