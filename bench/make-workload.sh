#!/usr/bin/env bash
# make-workload.sh [DIR]: builds the benchmark captures in DIR (default /var/tmp/tlswhy-bench),
# outside git, from real connections:
#   seeds/       bench/capture-seeds.sh: TLS 1.2/1.3, three chains, SNI, 16 B-1 MB, MTU 1500
#   big.pcap     BIG_CONNS (200000) connections, one new every GAP_US (5000) us: 1000 s of
#                traffic at 200 connections/s, about 4 MB/s
#   small.pcap   SMALL_CONNS (20000) connections, same mix and rate: 100 s
#   big-burst.pcap, small-burst.pcap  the same at 10,000 connections/s (one every 100 us):
#                20 s and 2 s, shorter than the 60 s a closed connection lingers in the flow
#                table (docs/tcp.md), so memory has not reached its steady state there
#   open1m.pcap  OPEN_CONNS (1000000) 16-byte fetches cut before their FIN: every connection is
#                still tracked, decided and idle, at the end (memory per tracked connection)
# Mix: 90 % succeeding fetches, response sizes weighted 16 B:20 200 B:20 1 KB:20 4 KB:15
# 16 KB:12 64 KB:8 256 KB:1 1 MB:0.5 (about 21 KB per connection on the wire), 10 % failing
# ones: every samples/*.pcap whose expected verdict is a failure, each equally likely.
# Existing files are kept; delete DIR to rebuild.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/var/tmp/tlswhy-bench}
mkdir -p "$dir"
cc -std=c11 -O2 -Wall -Wextra -Werror "$root/bench/multiply.c" -lpcap -o "$dir/multiply"
[ -s "$dir/seeds/ok-1m.pcap" ] || "$root/bench/capture-seeds.sh" "$dir/seeds"
s=$dir/seeds
ok=("$s/ok-16.pcap:20" "$s/ok-200.pcap:20" "$s/ok-1k.pcap:20" "$s/ok-4k.pcap:15"
    "$s/ok-16k.pcap:12" "$s/ok-64k.pcap:8" "$s/ok-256k.pcap:1" "$s/ok-1m.pcap:0.5")
mapfile -t fail < <(grep -l '"outcome":"failed"' "$root"/samples/expected/*.jsonl |
    sed 's#/expected/\(.*\)\.jsonl$#/\1.pcap#')
make1() {
    local name=$1; shift
    [ -s "$dir/$name.pcap" ] || "$dir/multiply" -o "$dir/$name.pcap.tmp" "$@"
    [ ! -e "$dir/$name.pcap.tmp" ] || mv "$dir/$name.pcap.tmp" "$dir/$name.pcap"
}
gap=${GAP_US:-5000}
make1 small -n "${SMALL_CONNS:-20000}" -g "$gap" -F 100 "${ok[@]}" -- "${fail[@]}"
make1 big -n "${BIG_CONNS:-200000}" -g "$gap" -F 100 "${ok[@]}" -- "${fail[@]}"
make1 small-burst -n "${SMALL_CONNS:-20000}" -g 100 -F 100 "${ok[@]}" -- "${fail[@]}"
make1 big-burst -n "${BIG_CONNS:-200000}" -g 100 -F 100 "${ok[@]}" -- "${fail[@]}"
make1 open1m -n "${OPEN_CONNS:-1000000}" -g 5 -F 0 -k "$s/ok-16.pcap"
ls -l "$dir"/*.pcap
