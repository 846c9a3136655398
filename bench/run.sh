#!/usr/bin/env bash
# run.sh [FILE...]: times tlswhy against the libpcap floor and the tools users reach for, on the
# workload captures (bench/make-workload.sh; default DIR/small.pcap DIR/big.pcap with
# DIR=/var/tmp/tlswhy-bench). Not a test: it prints figures for docs/performance.md.
#
# In one run, per file: the page cache is warmed (cat), then REPS (3) rounds, each running every
# tool once in turn (interleaved, so a burst of load on a shared machine hits all of them):
#   floor    bench/pcap_floor.c: libpcap reads and counts packets, nothing else
#   floor1m  the same loop with a 1 MiB stdio buffer, as tlswhy reads files (src/capture.c)
#   tcpdump  tcpdump -r F -w /dev/null
#   tlswhy   tlswhy -r F --json >/dev/null (the summary on stderr goes to /dev/null too)
#   tlswhy-j2  the same with -j 2 (a reader thread reads and decodes; wall time is what it
#            buys, CPU time is a little higher)
#   tshark   the same handshake fields (hellos, certificate names, alerts), with
#            -o tcp.reassemble_out_of_order:TRUE
#   ssldump  ssldump -n -r F
#   ndpi     ndpiReader -i F
# each where installed. Peers slower than tlswhy by far (tshark, ssldump, ndpi) run on files
# under PEER_MAX_MB (default 1000) only, unless PEER_MAX_MB is raised: on this 2-core machine
# tshark needs minutes per GB. Every run is bounded by TIMEOUT seconds (default 1800).
#
# Per tool, the median over the rounds of wall time and of CPU time (user + sys, which a shared,
# loaded machine disturbs much less than wall time), and from it MB/s, packets/s, connections/s;
# peak RSS (max over rounds); then tlswhy/floor (share of the floor's throughput tlswhy reaches)
# and peer/tlswhy (a peer's throughput as a share of tlswhy's), on CPU and on wall time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BENCH_DIR:-/var/tmp/tlswhy-bench}
reps=${REPS:-3}
tmo=${TIMEOUT:-1800}
peer_max=${PEER_MAX_MB:-1000}
tlswhy=${TLSWHY:-$root/build/tlswhy}
[ -x "$tlswhy" ] || { echo "run.sh: build tlswhy first (scripts/build.sh normal)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time missing (scripts/deps.sh bench)" >&2; exit 2; }
mkdir -p "$dir"
cc -std=c11 -O2 -Wall -Wextra -Werror "$root/bench/pcap_floor.c" -lpcap -o "$dir/pcap_floor"
[ $# -gt 0 ] || set -- "$dir/small.pcap" "$dir/big.pcap"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The command line of each tool for file $1.
cmd_of() {
    case $1 in
    floor) echo "$dir/pcap_floor" "$2" ;;
    floor1m) echo "$dir/pcap_floor" -b "$2" ;;
    tcpdump) echo tcpdump -r "$2" -w /dev/null ;;
    tlswhy) echo "$tlswhy" -r "$2" --json ;;
    tlswhy-j2) echo "$tlswhy" -r "$2" --json -j 2 ;;
    tshark) echo tshark -n -r "$2" -o tcp.reassemble_out_of_order:TRUE \
        -Y "'tls.handshake.type == 1 || tls.handshake.type == 2 || tls.handshake.type == 11 || tls.alert_message'" \
        -T fields -e frame.number -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
        -e tls.handshake.type -e tls.handshake.extensions_server_name -e tls.handshake.version \
        -e tls.handshake.extensions.supported_version -e tls.handshake.ciphersuite \
        -e tls.handshake.extensions_alpn_str -e tls.alert_message.level -e tls.alert_message.desc \
        -e x509sat.printableString -e x509sat.uTF8String ;;
    ssldump) echo ssldump -n -r "$2" ;;
    ndpi) echo ndpiReader -q -i "$2" ;;
    esac
}
have() {
    case $1 in
    floor | floor1m | tlswhy | tlswhy-j2) return 0 ;;
    ndpi) command -v ndpiReader >/dev/null ;;
    *) command -v "$1" >/dev/null ;;
    esac
}

for f in "$@"; do
    [ -s "$f" ] || { echo "run.sh: $f missing (bench/make-workload.sh)" >&2; exit 2; }
    mb=$(($(stat -c %s "$f") / 1000000))
    tools=()
    for t in floor floor1m tcpdump tlswhy tlswhy-j2 tshark ssldump ndpi; do
        have "$t" || { echo "run.sh: $t not installed, skipped" >&2; continue; }
        case $t in tshark | ssldump | ndpi) [ "$mb" -le "$peer_max" ] || continue ;; esac
        tools+=("$t")
    done
    cat "$f" >/dev/null
    pkts=$("$dir/pcap_floor" "$f" | cut -d' ' -f1)
    conns=$("$tlswhy" -r "$f" --json 2>/dev/null | wc -l)
    echo "== $(basename "$f"): $mb MB, $pkts packets, $conns connections; $reps rounds;" \
        "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    for r in $(seq "$reps"); do
        for t in "${tools[@]}"; do
            eval "set -- $(cmd_of "$t" "$f")"
            /usr/bin/time -f "%e %U %S %M" -o "$tmp/$t.$r" timeout "$tmo" "$@" >/dev/null 2>&1 ||
                echo "run.sh: $t exited with $? on round $r" >&2
        done
    done
    printf '%-8s %8s %8s %9s %9s %11s %11s %9s\n' tool wall_s cpu_s MB/s_cpu MB/s_wall \
        pkts/s_cpu conns/s_cpu rss_MB
    for t in "${tools[@]}"; do
        # Medians of wall and CPU over the rounds, the largest RSS.
        tail -qn1 "$tmp/$t".* >"$tmp/runs"
        mid=$(((reps + 1) / 2))
        w=$(cut -d' ' -f1 "$tmp/runs" | sort -g | sed -n "${mid}p")
        u=$(awk '{ print $2 + $3 }' "$tmp/runs" | sort -g | sed -n "${mid}p")
        rss=$(cut -d' ' -f4 "$tmp/runs" | sort -g | tail -n1)
        awk -v t="$t" -v mb="$mb" -v p="$pkts" -v c="$conns" -v w="$w" -v u="$u" -v rss="$rss" '
            BEGIN {
                cw = w > 0 ? w : 0.001; cu = u > 0 ? u : 0.001
                printf "%-8s %8.2f %8.2f %9.0f %9.0f %11.0f %11.0f %9.1f\n", t, w, u,
                    mb / cu, mb / cw, p / cu, c / cu, rss / 1024
            }' | tee -a "$tmp/table"
    done
    awk '{ w[$1] = $2; u[$1] = $3 }
        END {
            if (!("tlswhy" in u)) exit
            printf "tlswhy/floor throughput: %.0f %% (CPU), %.0f %% (wall)\n",
                100 * u["floor"] / u["tlswhy"], 100 * w["floor"] / w["tlswhy"]
            printf "tlswhy/floor1m throughput: %.0f %% (CPU), %.0f %% (wall)\n",
                100 * u["floor1m"] / u["tlswhy"], 100 * w["floor1m"] / w["tlswhy"]
            if ("tlswhy-j2" in u)
                printf "tlswhy-j2/floor throughput: %.0f %% (CPU), %.0f %% (wall)\n",
                    100 * u["floor"] / u["tlswhy-j2"], 100 * w["floor"] / w["tlswhy-j2"]
            split("tcpdump tshark ssldump ndpi", peers, " ")
            for (i = 1; i <= 4; i++) if (peers[i] in u)
                printf "%s/tlswhy throughput: %.3f (CPU), %.3f (wall); tlswhy does %.1fx its work per CPU second\n",
                    peers[i], u["tlswhy"] / u[peers[i]], w["tlswhy"] / w[peers[i]],
                    u[peers[i]] / u["tlswhy"]
        }' "$tmp/table"
    rm -f "$tmp/table"
done
