#!/usr/bin/env bash
# Hostile captures stay within their memory bound, say what was dropped, and leave the verdict
# of an ordinary connection mixed into them right. The captures are generated here by
# tests/limits_gen.py (1M SYNs, an endless out-of-order stream, a 16 MB handshake message, a
# 10,000-certificate chain, VLAN/VXLAN nesting), each with samples/ok-tls12.pcap spliced in.
# Peak RSS comes from getrusage (GNU time's %M). A sanitizer build's RSS is ASan's shadow and
# quarantine, not tlswhy's, so with one as $TLSWHY the bounds are checked on the normal build
# beside it (build/tlswhy), and everything else on $TLSWHY's output.
set -euo pipefail
cd "$TW_SOURCE_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is missing: scripts/deps.sh test"; exit 1; }
bins=("$TLSWHY")
# (grep reads a process substitution: with pipefail, nm killed by grep -q's early exit would fail)
if grep -q '__asan_init' <(nm "$TLSWHY" 2>/dev/null); then
    [ -x build/tlswhy ] || { echo "$TLSWHY is a sanitizer build and build/tlswhy is missing"; exit 1; }
    bins+=(build/tlswhy)
fi
fail=0
bad() { echo "FAIL $kind: $*"; fail=1; }

# run KIND: generates the capture, runs every binary on it (text, -v); leaves $TLSWHY's output
# in $work/KIND.out (without the million lines of SYNs left unanswered: evicted, or open when
# the capture ended) and the last binary's (the normal build's) peak RSS in KiB in $work/KIND.rss.
run() {
    kind=$1
    python3 tests/limits_gen.py "$kind" "$work/$kind.pcap"
    local bin out=$work/$kind.out
    for bin in "${bins[@]}"; do
        local start=$SECONDS
        /usr/bin/time -f %M -o "$work/$kind.rss" "$bin" --color=never -v \
            --ca-file samples/pki/root.pem -r "$work/$kind.pcap" 2>"$work/$kind.err" |
            grep -v ' sni=- - INCOMPLETE: \(tlswhy evicted the connection\|the capture ended\) ' \
                >"$out" || true
        echo "$kind: $(basename "$(dirname "$bin")")/tlswhy $((SECONDS - start)) s, peak RSS $(($(cat "$work/$kind.rss") / 1024)) MiB"
        [ ! -s "$work/$kind.err" ] || { bad "stderr of $bin:"; cat "$work/$kind.err"; }
        out=/dev/null
    done
    rm -f "$work/$kind.pcap"
    # The ordinary connection, wherever its frames landed: one line, ok, nothing else wrong.
    local ok='^20[0-9-]*T[0-9:.]*Z 192\.0\.2\.10:36722 > 192\.0\.2\.20:443 sni=origin\.test TLSv1\.2 OK: the handshake completed'
    [ "$(grep -c "$ok" "$work/$kind.out")" = 1 ] || bad "the ordinary connection is not exactly one OK line"
    if grep -q '^20.* 192\.0\.2\.10:36722 .*FAILED' "$work/$kind.out"; then
        bad "the ordinary connection also has a failed line"
    fi
    # Under the SYN flood the entry kept to absorb the ordinary connection's last ACK is the first
    # one evicted, so that ACK opens a mid-stream connection of its own: incomplete, not failed.
    if [ "$kind" != synflood ] && grep -q '^20.* 192\.0\.2\.10:36722 .*INCOMPLETE' "$work/$kind.out"; then
        bad "the ordinary connection also has an incomplete line"
    fi
}

# has KIND REGEX WHAT: the output of KIND matches REGEX (grep), else fail saying WHAT.
has() {
    grep -q -- "$2" "$work/$1.out" || bad "$3"
}

# rss_below KIND MIB: the normal build's peak RSS is under MIB.
rss_below() {
    local kib
    kib=$(cat "$work/$1.rss")
    [ "$kib" -lt $(($2 * 1024)) ] || bad "peak RSS $((kib / 1024)) MiB, bound $2 MiB"
}

# 1M SYNs to port 443 from distinct ports: the table stays at --max-conns (262,144), the
# evicted SYNs are counted, and none is called a server that did not answer.
run synflood
rss_below synflood 160
has synflood '^ *737857 connections evicted: more were open at once than --max-conns$' \
    "the summary does not count the 737,857 evicted connections"
has synflood '^203\.0\.113\.1  *1000000  *0  *0 1000000 ' \
    "the 1M flood connections are not all incomplete"
grep -q 'tcp_no_answer' "$work/synflood.out" && bad "an evicted SYN was diagnosed tcp_no_answer"

# 40 MB, each segment beyond a hole: out-of-order buffering stays at its cap (1 MiB a direction)
# and the holes are reported as lost bytes.
run ooo
rss_below ooo 24
has ooo '^20.* 198\.51\.100\.7:40003 > 203\.0\.113\.1:443 sni=- - INCOMPLETE: the capture lost 40000000 bytes of the client.s stream.*\[warnings: capture_lost_data\]$' \
    "the out-of-order connection does not report its 40,000,000 lost bytes"

# A 16 MB Certificate message, sent whole: skipped past max_hs_msg (1 MiB), never buffered.
run bighs
rss_below bighs 20
has bighs '^20.* 198\.51\.100\.7:40001 > .*\[warnings: malformed\]$' "the 16 MB message is not flagged"
has bighs '^    malformed handshake from the server, frame 5: message longer than max_hs_msg (1 in all)$' \
    "-v does not say the message was longer than max_hs_msg"

# 10,000 certificates in one chain: 10 are kept and analysed, and -v says so.
run certchain
rss_below certchain 20
has certchain '^    (10000 certificates sent, the first 10 analysed: cap on certificates kept)$' \
    "-v does not say the chain was cut to 10 certificates"
[ "$(grep -c '^    cert\[[0-9]*\] unparseable' "$work/certchain.out")" = 10 ] ||
    bad "not exactly 10 of the hostile certificates listed"

# 2,000 VLAN tags are walked; 64 VXLAN tunnels are over the cap (4) and counted as malformed;
# the ordinary connection inside 2 tags and 2 tunnels is decoded.
run nested
rss_below nested 20
has nested '^ *500 frames not decoded: malformed (e.g. tunnels nested too deep)$' \
    "the summary does not count the 500 frames nested too deep"
has nested '^20.* 198\.51\.100\.7:40004 > 203\.0\.113\.1:443 sni=- - FAILED tcp_no_answer: 500 SYNs' \
    "the 500 SYNs under 2,000 VLAN tags were not decoded"
exit $fail
