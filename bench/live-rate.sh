#!/usr/bin/env bash
# live-rate.sh [SECONDS-PER-RATE] [RATES...]: replays every sample capture (bench_mix, looped
# with --unique-ip so each loop is new connections) onto a veth at increasing packet rates, with
# tlswhy -i and `tcpdump -w /dev/null` listening side by side on the peer, and reports the
# highest rate each sustains with zero kernel drops (pcap_stats): that rate and every lower one.
# Each uses its default kernel buffer (tlswhy 8 MiB, tcpdump libpcap's 2 MiB; TW_BENCH_ARGS and
# TW_BENCH_TCPDUMP_ARGS add options, e.g. -B 8192 for both). tw_cpu_pct is tlswhy's CPU time (user + system)
# over the replay's duration: the headroom when the generator is the limit. Needs root; uses its
# own namespace (bench/lib.sh). A benchmark, not a test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
secs=${1:-4}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(5000 10000 20000 40000 80000 160000 320000)
bench_net
mix=$(bench_mix)
per_loop=$(tcpdump -nn -r "$mix" 2>/dev/null | wc -l)
echo "mix: $per_loop packets per loop, $(capinfos -c -M "$mix" 2>/dev/null | awk '/Number of packets/ {print $NF}') in file"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r)"
printf '%10s %10s %12s %12s %12s %12s %10s %10s\n' rate_pps sent_pps tlswhy_recv tlswhy_drop \
    tcpdump_recv tcpdump_drop tw_rss_kb tw_cpu_pct
best_tw=0 best_td=0 tw_ok=yes td_ok=yes
for rate in "${rates[@]}"; do
    loops=$(( (rate * secs + per_loop - 1) / per_loop ))
    # shellcheck disable=SC2086 # TW_BENCH_ARGS is a list of options
    ip netns exec "$NS" timeout $((secs + 30)) "$TLSWHY" -i tw9r1 -q --no-summary --ca-file "$ROOT/samples/pki/root.pem" \
        --idle-timeout 5 ${TW_BENCH_ARGS:-} >/dev/null 2>"$WORK/tw.err" &
    twp=$!; BENCH_PIDS+=("$twp")
    # shellcheck disable=SC2086 # TW_BENCH_TCPDUMP_ARGS is a list of options
    ip netns exec "$NS" timeout $((secs + 30)) tcpdump -i tw9r1 -n ${TW_BENCH_TCPDUMP_ARGS:-} \
        -w /dev/null 2>"$WORK/td.err" &
    tdp=$!; BENCH_PIDS+=("$tdp")
    for _ in $(seq 100); do grep -q 'listening on' "$WORK/td.err" && break; sleep 0.05; done
    twc=$(bench_child "$twp"); tdc=$(bench_child "$tdp")
    sleep 0.5
    cpu0=$(awk '{print $14 + $15}' "/proc/$twc/stat")
    ip netns exec "$NS" tcpreplay -i tw9r0 -K --pps "$rate" --loop "$loops" --unique-ip \
        "$mix" >"$WORK/replay.out" 2>&1 || { cat "$WORK/replay.out"; exit 1; }
    sent=$(awk '/Rated:/ {print $(NF-1); exit}' "$WORK/replay.out")
    took=$(awk '/Actual:/ {for (i = 1; i <= NF; i++) if ($i == "in") print $(i + 1); exit}' "$WORK/replay.out")
    sleep 1
    cpu=$(awk -v c0="$cpu0" -v hz="$(getconf CLK_TCK)" -v t="$took" \
        '{printf "%.0f", 100 * ($14 + $15 - c0) / hz / t}' "/proc/$twc/stat")
    rss=$(bench_rss_kb "$twc")
    kill -INT "$twc" "$tdc"
    wait "$twp" "$tdp" || true
    BENCH_PIDS=()
    tw=$(grep -o '[0-9]* received by filter, [0-9]* dropped by kernel' "$WORK/tw.err" || echo "? x ? x")
    tw_recv=$(echo "$tw" | awk '{print $1}') tw_drop=$(echo "$tw" | awk '{print $5}')
    td_recv=$(awk '/received by filter/ {print $1}' "$WORK/td.err")
    td_drop=$(awk '/dropped by kernel/ {print $1}' "$WORK/td.err")
    printf '%10s %10s %12s %12s %12s %12s %10s %10s\n' "$rate" "${sent%.*}" "$tw_recv" "$tw_drop" \
        "$td_recv" "$td_drop" "$rss" "$cpu"
    # Sustained: this rate and every lower one without a drop (a shared machine is noisy).
    if [ "$tw_drop" = 0 ] && [ "$tw_ok" = yes ]; then best_tw=$rate; else tw_ok=no; fi
    if [ "$td_drop" = 0 ] && [ "$td_ok" = yes ]; then best_td=$rate; else td_ok=no; fi
done
echo "highest rate sustained with zero kernel drops (it and every lower rate): tlswhy $best_tw pps, tcpdump -w /dev/null $best_td pps"
echo "(sent_pps is what tcpreplay achieved; when it falls short of rate_pps the generator, on the same cores, is the limit)"
[ "$best_td" -gt 0 ] && echo "ratio tlswhy/tcpdump: $(awk -v a="$best_tw" -v b="$best_td" 'BEGIN {printf "%.2f", a / b}')"
