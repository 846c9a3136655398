#!/usr/bin/env bash
# fuzz-campaign.sh END_UPTIME [HARNESS...]: a long fuzzing campaign. Runs every harness of
# build-fuzz/ (or the ones named) at the lowest priority, one libFuzzer process per harness, all
# harnesses side by side, until the machine's uptime (seconds, /proc/uptime) reaches END_UPTIME
# or the file fuzz/corpus-run/STOP exists (checked between runs of at most 15 minutes each).
# The targets' own stderr is closed (-close_fd_mask=2: the pipeline prints an error per input).
# Uptime rather than `date` so a wrong clock cannot stretch or cut the campaign.
# The growing corpus of each harness lives in fuzz/corpus-run/<harness>/ (gitignored) and is
# reused by the next campaign; the committed seeds (fuzz/corpus, fuzz/seeds, fuzz/regressions)
# are read only. A finding does not stop the campaign: its input is kept in
# fuzz/corpus-run/artifacts/<harness>/ and the harness is restarted. Each run's figures are
# appended to fuzz/corpus-run/<harness>.stats as "seconds executions exit-status cpu-seconds"
# (cpu = user + system time of the fuzzer process: with several harnesses per core, wall seconds
# overstate the work done), and fuzz/corpus-run/summary prints the totals.
set -uo pipefail
cd "$(dirname "$0")/.."
end=${1:?usage: $0 END_UPTIME [HARNESS...]}
shift
uptime_s() { cut -d. -f1 /proc/uptime; }
# UBSan only prints by default: make its reports findings (crash input kept), as scripts/test.sh
# does for the smoke run.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

one_harness() {
    local name=$1 bin=build-fuzz/$1 out=fuzz/corpus-run
    mkdir -p "$out/$name" "$out/artifacts/$name"
    local dirs=("$out/$name")
    for d in "fuzz/corpus/$name" "fuzz/regressions/$name"; do
        [ -d "$d" ] && dirs+=("$d")
    done
    if [ -f "fuzz/seeds/$name" ]; then
        while read -r d; do
            [ -n "$d" ] && [ -d "$d" ] && dirs+=("$d")
        done <"fuzz/seeds/$name"
    fi
    local dict=()
    [ -f "fuzz/dict/$name.dict" ] && dict=(-dict="fuzz/dict/$name.dict")
    while :; do
        local left=$((end - $(uptime_s)))
        [ "$left" -gt 30 ] && [ ! -e "$out/STOP" ] || break
        [ "$left" -le 900 ] || left=900
        local t0 log=$out/$name.log cpu
        t0=$(uptime_s)
        /usr/bin/time -o "$log.cpu" -f '%U %S' \
            nice -n 19 "$bin" "${dirs[@]}" "${dict[@]}" -max_total_time="$left" -timeout=10 \
            -rss_limit_mb=2048 -max_len=262144 -artifact_prefix="$out/artifacts/$name/" \
            -print_final_stats=1 -close_fd_mask=2 >"$log" 2>&1
        local rc=$?
        cpu=$(awk 'NF == 2 {printf "%d", $1 + $2}' "$log.cpu")
        local runs
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
        # A crash may end the run before the final statistics: fall back to the last status line.
        [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
        echo "$(($(uptime_s) - t0)) ${runs:-0} $rc ${cpu:-0}" >>"$out/$name.stats"
        [ "$rc" -eq 0 ] || cp "$log" "$out/artifacts/$name/run-$t0.log"
    done
}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for bin in build-fuzz/fuzz_*; do
        [ -x "$bin" ] && names+=("$(basename "$bin")")
    done
fi
for n in "${names[@]}"; do
    one_harness "$n" &
done
wait
{
    for n in "${names[@]}"; do
        # Exit 72: libFuzzer interrupted (SIGINT, e.g. a campaign stopped by hand), not a finding.
        awk -v n="$n" '{s += $1; e += $2; c += $4; if ($3 == 72) i++; else if ($3 != 0) f++} END {
            printf "%s: %d s, %d CPU s, %d executions, %d runs ended by a finding, %d interrupted\n",
                n, s, c, e, f, i }' \
            "fuzz/corpus-run/$n.stats"
    done
} | tee fuzz/corpus-run/summary
