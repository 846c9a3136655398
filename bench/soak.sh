#!/usr/bin/env bash
# soak.sh [HOURS-OF-CONNS-PER-SECOND] [PPS]: an hour-equivalent of replayed traffic through
# tlswhy -i, with its resident memory sampled every 2 s. "An hour" is an origin taking
# CONNS_PER_SEC (default 100) TLS connections per second for 3600 s: that many connections of the
# sample mix (every outcome, ok and failed, ~13 packets each), replayed at PPS (default 40000)
# with tcpreplay --loop --unique-ip so every loop is new connections. Passes when, after a
# warm-up (the first quarter of the samples), the RSS stays within 10 % (max <= 1.10 x min).
# Needs root; its own namespace (bench/lib.sh). A benchmark, not a test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap bench_cleanup EXIT
cps=${1:-100}
pps=${2:-40000}
bench_net
mix=$(bench_mix)
per_loop=$(tcpdump -nn -r "$mix" 2>/dev/null | wc -l)
conns_per_loop=$("$TLSWHY" -r "$mix" --json --no-summary 2>/dev/null | wc -l)
loops=$(( (cps * 3600 + conns_per_loop - 1) / conns_per_loop ))
echo "soak: $((loops * conns_per_loop)) connections ($cps/s for an hour), $((loops * per_loop)) packets at $pps pps"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r)"
limit=$(( loops * per_loop / pps + 120 ))
# A short idle timeout so the silent and unanswered connections of the mix end within the
# warm-up; the tables are then at their steady state.
ip netns exec "$NS" timeout "$limit" "$TLSWHY" -i tw9r1 --json --idle-timeout 10 --ca-file "$ROOT/samples/pki/root.pem" \
    -w "$WORK/failed.pcap" >/dev/null 2>"$WORK/tw.err" &
twp=$!; BENCH_PIDS+=("$twp")
twc=$(bench_child "$twp")
sleep 1
ip netns exec "$NS" timeout "$limit" tcpreplay -i tw9r0 -K --pps "$pps" --loop "$loops" \
    --unique-ip "$mix" >"$WORK/replay.out" 2>&1 &
rp=$!; BENCH_PIDS+=("$rp")
: >"$WORK/rss"
t0=$(date +%s)
while kill -0 "$rp" 2>/dev/null; do
    echo "$(($(date +%s) - t0)) $(bench_rss_kb "$twc")" >>"$WORK/rss"
    sleep 2
done
wait "$rp" || { cat "$WORK/replay.out"; exit 1; }
sleep 12 # the idle timeout, so the last silent connections are decided
echo "$(($(date +%s) - t0)) $(bench_rss_kb "$twc")" >>"$WORK/rss"
kill -INT "$twc"
wait "$twp" || { echo "tlswhy failed:"; cat "$WORK/tw.err"; }
BENCH_PIDS=()
grep -E 'Actual|Rated' "$WORK/replay.out" | sed 's/^/tcpreplay: /'
grep -E 'packets captured|written' "$WORK/tw.err" | sed 's/^tlswhy: /tlswhy: /'
grep -E 'summary:' "$WORK/tw.err" || true
n=$(wc -l <"$WORK/rss")
awk -v n="$n" '
    { t[NR] = $1; r[NR] = $2 }
    END {
        w = int(n / 4) + 1; min = -1; max = 0
        for (i = w; i <= n; i++) { if (min < 0 || r[i] < min) min = r[i]; if (r[i] > max) max = r[i] }
        step = int(n / 20) + 1
        printf "rss (KiB), t=s:rss:"; for (i = 1; i <= n; i += step) printf " %d:%d", t[i], r[i]
        printf " %d:%d\n", t[n], r[n]
        printf "after warm-up (from t=%ds): min %d KiB, max %d KiB, max/min %.3f: %s\n", t[w], min, max,
               max / min, max <= 1.10 * min ? "FLAT (within 10 %)" : "NOT FLAT"
        exit !(max <= 1.10 * min)
    }' "$WORK/rss"
