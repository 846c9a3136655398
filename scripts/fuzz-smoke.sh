#!/usr/bin/env bash
# fuzz-smoke.sh [SECONDS]: runs every libFuzzer harness in build-fuzz/ for SECONDS each (default
# 20) on its seed corpus fuzz/corpus/<harness>/, the folders listed in fuzz/seeds/<harness>, and
# every input kept in fuzz/regressions/<harness>/.
# Any crash, leak or sanitizer report fails the run; the crashing input is left in
# build-fuzz/artifacts/ to be copied into fuzz/regressions/<harness>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
# UBSan only prints by default; a report must fail the smoke run (scripts/test.sh sets the same).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p build-fuzz/artifacts
status=0
for bin in build-fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    work=$(mktemp -d)
    dirs=("$work")
    for d in "fuzz/corpus/$name" "fuzz/regressions/$name"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    # fuzz/seeds/<harness>: more seed folders, one per line (e.g. samples, peer captures).
    if [ -f "fuzz/seeds/$name" ]; then
        while read -r d; do
            [ -n "$d" ] && [ -d "$d" ] && dirs+=("$d")
        done <"fuzz/seeds/$name"
    fi
    dict=()
    [ -f "fuzz/dict/$name.dict" ] && dict=(-dict="fuzz/dict/$name.dict")
    if "$bin" "${dirs[@]}" "${dict[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1 >"$work.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$' || echo '?')
        echo "fuzz $name: ${secs}s, $runs executions, no finding"
    else
        echo "fuzz $name: FINDING" >&2
        tail -40 "$work.log" >&2
        status=1
    fi
    rm -rf "$work" "$work.log"
done
exit $status
