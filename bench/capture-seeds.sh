#!/usr/bin/env bash
# capture-seeds.sh OUTDIR: captures the real connections the workload is multiplied from.
#
# In namespaces of its own (SW_NS_PREFIX, default tw10; scripts/samples/lib.sh), three
# openssl s_server -WWW origins with different certificate chains (samples/pki: ok + intermediate,
# wildcard + intermediate, a leaf of another root) serve files of 16 B to 1 MB; openssl s_client
# fetches each size over TLS 1.2 and 1.3 with SNI. Segmentation/checksum offloads are off on the
# veth pair, so the capture shows MTU-1500 segments with real checksums, as on a wire.
# Writes OUTDIR/ok-SIZE.pcap, one file per response size (each holds 6 connections).
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
export SW_NS_PREFIX=${SW_NS_PREFIX:-tw10}
. "$(dirname "$0")/../scripts/samples/lib.sh"
trap sw_cleanup EXIT
trap 'exit 130' INT TERM
command -v ethtool >/dev/null || sw_die "ethtool missing (scripts/deps.sh bench)"

SIZES=(16 200 1k 4k 16k 64k 256k 1m)
bytes_of() { case $1 in *k) echo $((${1%k} * 1024)) ;; *m) echo $((${1%m} * 1048576)) ;; *) echo "$1" ;; esac; }

sw_net
for pair in "$NS_C veth-c" "$NS_S veth-s"; do
    # shellcheck disable=SC2086
    set -- $pair
    nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    nsx "$1" ip link set "$2" mtu 1500
done
www=$SW_TMP/www
mkdir -p "$www"
for s in "${SIZES[@]}"; do head -c "$(bytes_of "$s")" /dev/urandom >"$www/f$s"; done

# origin PORT LEAF [CHAIN]: an s_server -WWW on 192.0.2.20:PORT serving $www, until cleanup.
origin() {
    local port=$1 leaf=$2 extra=()
    [ $# -lt 3 ] || extra=(-cert_chain "$3")
    (cd "$www" && exec ip netns exec "$NS_S" timeout 600 openssl s_server -accept "$IP_S:$port" \
        -WWW -quiet -cert "$SW_PKI/$leaf.pem" -key "$SW_PKI/$leaf.key" "${extra[@]}" \
        </dev/null >"$SW_TMP/srv-$port.out" 2>&1) &
    SW_PIDS+=("$!")
    sw_wait_listen "$NS_S" "$port"
}
origin 443 ok "$SW_PKI/chain.pem"
origin 8443 wildcard "$SW_PKI/chain.pem"
origin 9443 untrusted

for s in "${SIZES[@]}"; do
    SW_SAMPLES=$out sw_cap_start "ok-$s" "tcp"
    for v in -tls1_2 -tls1_3; do
        for target in "443 origin.test" "8443 www.mydomain.test" "9443 origin.test"; do
            # shellcheck disable=SC2086
            set -- $target
            printf 'GET /f%s HTTP/1.0\r\nHost: %s\r\n\r\n' "$s" "$2" |
                timeout 20 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:$1" \
                    -servername "$2" "$v" -ign_eof -quiet >"$SW_TMP/cli.out" 2>&1 || true
            got=$(wc -c <"$SW_TMP/cli.out")
            [ "$got" -ge "$(bytes_of "$s")" ] || sw_die "fetching f$s from :$1 $v got $got bytes"
        done
    done
    sw_cap_stop
done
