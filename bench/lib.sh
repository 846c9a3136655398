# bench/lib.sh: shared by the live benchmarks (sourced). One namespace of their own (tw9-bench,
# override with TW_BENCH_NS) holding a veth pair: tcpreplay sends on tw9r0, the listeners capture
# on its peer tw9r1. Everything is bounded by timeout and removed on exit.
# shellcheck shell=bash
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
NS=${TW_BENCH_NS:-tw9-bench}
TLSWHY=${TLSWHY:-$ROOT/build/tlswhy}
BENCH_PIDS=()
WORK=$(mktemp -d /tmp/tw9-bench.XXXXXX)
chmod 755 "$WORK"
chown nobody "$WORK" # tlswhy writes -w after dropping to nobody

bench_cleanup() {
    local p
    for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    BENCH_PIDS=()
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}

bench_net() {
    [ "$(id -u)" = 0 ] || { echo "bench: needs root (namespace, veth, live capture)" >&2; exit 1; }
    ip netns del "$NS" 2>/dev/null || true
    ip netns add "$NS"
    ip -n "$NS" link add tw9r0 type veth peer name tw9r1
    # The samples were captured with segmentation offload: frames up to 64 KiB must pass.
    ip -n "$NS" link set tw9r0 mtu 65535
    ip -n "$NS" link set tw9r1 mtu 65535
    ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$NS" link set tw9r0 up
    ip -n "$NS" link set tw9r1 up
    ip -n "$NS" link set lo up
}

# bench_mix: every sample capture end to end (mergecap -a), as pcap: handshakes of every kind,
# ok and failed, about 15 packets per connection.
bench_mix() {
    local out=$WORK/mix.pcap
    mergecap -a -F pcap -w "$WORK/cat.pcap" "$ROOT"/samples/*.pcap
    # The samples were made at different times: make the times increase, so the mix analysed
    # as a file gives the same connections as replayed (tcpreplay --pps ignores the times).
    editcap -S 0.000001 "$WORK/cat.pcap" "$out" >/dev/null
    echo "$out"
}

# bench_rss_kb PID: resident set size now, KiB.
bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# bench_child PID: the pid of PID's only child (timeout -> the real program).
bench_child() {
    local c
    for _ in $(seq 100); do
        c=$(awk '{print $1}' "/proc/$1/task/$1/children" 2>/dev/null)
        [ -n "$c" ] && { echo "$c"; return 0; }
        sleep 0.05
    done
    return 1
}
