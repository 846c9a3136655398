# lib.sh: shared helpers for the sample-capture scripts (sourced, not run).
#
# Every scenario runs in network namespaces made here and removed on exit:
#
#   tws-cli  veth-c 192.0.2.10/24  <---->  veth-s 192.0.2.20/24   tws-srv     (client -> origin)
#   tws-usr  veth-u 198.51.100.10/24 <-> veth-e 198.51.100.1/24   tws-cli     (user -> edge, edge only)
#
# Addresses are from the documentation ranges (RFC 5737) so they can never collide with a real
# network. Processes are started with sw_bg and killed by their own pid, never by name.
# shellcheck shell=bash

SW_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SW_ROOT=$(cd "$SW_DIR/../.." && pwd)
SW_SAMPLES=$SW_ROOT/samples
# shellcheck disable=SC2034 # used by the scripts that source this file
SW_PKI=$SW_SAMPLES/pki
# SW_NS_PREFIX (default tws) lets two sample runs share a machine without colliding.
NS_C=${SW_NS_PREFIX:-tws}-cli
NS_S=${SW_NS_PREFIX:-tws}-srv
NS_U=${SW_NS_PREFIX:-tws}-usr
IP_C=192.0.2.10
IP_S=192.0.2.20
IP_E=198.51.100.1
IP_U=198.51.100.10
# IPv6 (RFC 3849 documentation prefix), on the client<->origin link with `sw_net ipv6` only.
IP6_C=2001:db8::10
IP6_S=2001:db8::20
SW_PIDS=()
SW_TMP=
SW_CAP_PID=

sw_log() { echo "samples: $*" >&2; }
sw_die() { echo "samples: error: $*" >&2; exit 1; }

# nsx NS CMD...: runs CMD inside namespace NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# sw_bg NS CMD...: starts CMD in the background inside NS and remembers its pid for cleanup.
# `ip netns exec` execs the command, so $! is the command itself.
sw_bg() {
    local ns=$1; shift
    ip netns exec "$ns" "$@" &
    SW_PIDS+=("$!")
}

sw_kill_pid() {
    local p=$1
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}

sw_cleanup() {
    local p
    if [ -n "$SW_CAP_PID" ]; then sw_kill_pid "$SW_CAP_PID"; SW_CAP_PID=; fi
    for p in "${SW_PIDS[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    for p in "${SW_PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    SW_PIDS=()
    for ns in "$NS_C" "$NS_S" "$NS_U"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    if [ -n "$SW_TMP" ] && [ -d "$SW_TMP" ]; then rm -rf "$SW_TMP"; SW_TMP=; fi
}

# sw_net [edge|ipv6]: fresh namespaces; with "edge", also the user leg; with "ipv6", IPv6 stays on
# and the client<->origin link also gets 2001:db8::10 / 2001:db8::20 (nodad: usable at once).
# Fixed MAC addresses keep the captures tidy and comparable between regenerations.
sw_net() {
    sw_cleanup
    ip netns add "$NS_C"
    ip netns add "$NS_S"
    ip link add veth-c netns "$NS_C" address 02:00:00:00:02:0a type veth \
        peer name veth-s netns "$NS_S" address 02:00:00:00:02:14
    nsx "$NS_C" ip addr add "$IP_C/24" dev veth-c
    nsx "$NS_S" ip addr add "$IP_S/24" dev veth-s
    if [ "${1:-}" = ipv6 ]; then
        nsx "$NS_C" ip -6 addr add "$IP6_C/64" dev veth-c nodad
        nsx "$NS_S" ip -6 addr add "$IP6_S/64" dev veth-s nodad
    else
        # No IPv6 on the links: no router solicitations or MLD in the way.
        nsx "$NS_C" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        nsx "$NS_S" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    fi
    nsx "$NS_C" ip link set lo up
    nsx "$NS_S" ip link set lo up
    nsx "$NS_C" ip link set veth-c up
    nsx "$NS_S" ip link set veth-s up
    if [ "${1:-}" = edge ]; then
        ip netns add "$NS_U"
        ip link add veth-u netns "$NS_U" address 02:00:00:00:33:0a type veth \
            peer name veth-e netns "$NS_C" address 02:00:00:00:33:01
        nsx "$NS_U" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
        nsx "$NS_U" ip addr add "$IP_U/24" dev veth-u
        nsx "$NS_C" ip addr add "$IP_E/24" dev veth-e
        nsx "$NS_U" ip link set lo up
        nsx "$NS_U" ip link set veth-u up
        nsx "$NS_C" ip link set veth-e up
    fi
    SW_TMP=$(mktemp -d /tmp/tlswhy-samples.XXXXXX)
}

# sw_wait_listen NS PORT: waits (max 5 s) until something listens on TCP PORT in NS.
sw_wait_listen() {
    local ns=$1 port=$2
    for _ in $(seq 50); do
        if nsx "$ns" ss -Hltn "sport = :$port" | grep -q .; then return 0; fi
        sleep 0.1
    done
    sw_die "nothing listens on port $port in $ns"
}

# sw_cap_start NAME FILTER [NS IFACE]: starts tcpdump writing samples/NAME.pcap, waits until it
# is really capturing. Default: the client side of the client<->origin link.
sw_cap_start() {
    local name=$1 filter=$2 ns=${3:-$NS_C} ifc=${4:-veth-c}
    SW_CAP_FILE=$SW_SAMPLES/$name.pcap
    rm -f "$SW_CAP_FILE"
    ip netns exec "$ns" tcpdump -i "$ifc" -s 0 -U -n --immediate-mode -Z root -w "$SW_CAP_FILE" "$filter" \
        2>"$SW_TMP/tcpdump.err" &
    SW_CAP_PID=$!
    for _ in $(seq 50); do
        if grep -q 'listening on' "$SW_TMP/tcpdump.err" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    sw_die "tcpdump did not start: $(cat "$SW_TMP/tcpdump.err")"
}

# sw_cap_stop: lets the last packets arrive, stops tcpdump and reports the size.
sw_cap_stop() {
    sleep 0.5
    kill -INT "$SW_CAP_PID" 2>/dev/null || true
    wait "$SW_CAP_PID" 2>/dev/null || true
    SW_CAP_PID=
    local n
    n=$(tshark -r "$SW_CAP_FILE" 2>/dev/null | wc -l)
    sw_log "$(basename "$SW_CAP_FILE"): $n frames, $(stat -c %s "$SW_CAP_FILE") bytes"
    [ "$n" -gt 0 ] || sw_die "$(basename "$SW_CAP_FILE") is empty"
}
