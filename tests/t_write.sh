#!/usr/bin/env bash
# -w on every sample capture: with -W all the written file holds every TCP packet of the input and
# analyses to the same outcomes and causes; with -W failed (the default) it analyses to exactly
# the failed connections. Frames are written at each verdict, so this is the same code path as
# live mode, minus the interface.
set -euo pipefail
cd "$TW_SOURCE_DIR"
T=${TLSWHY:-build/tlswhy}
CA=samples/pki/root.pem
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0 checked=0 failed_conns=0
verdicts() { jq -r '[.outcome, .cause] | @tsv' "$1" | sort; }
# The connections (client and server endpoints) a JSON Lines file reports, once each.
conns_of() { jq -r '[.client.ip, .client.port, .server.ip, .server.port] | @tsv' "$1" | sort -u; }
for f in samples/*.pcap; do
    n=$(basename "$f" .pcap)
    # -w writes pcap, which has no Decryption Secrets Block: a capture whose secrets were
    # embedded (NAME-dsb, made from NAME's key log) is re-read with that key log.
    again=()
    case $n in *-dsb) again=(--keylog "samples/${n%-dsb}.keylog") ;; esac
    "$T" -r "$f" --ca-file "$CA" --json --no-summary -w "$tmp/all.pcap" -W all >"$tmp/in.jsonl" 2>"$tmp/err"
    "$T" -r "$tmp/all.pcap" --ca-file "$CA" --json --no-summary "${again[@]}" >"$tmp/all.jsonl"
    if [ "$(verdicts "$tmp/in.jsonl")" != "$(verdicts "$tmp/all.jsonl")" ]; then
        echo "FAIL $n: -W all re-analyses differently"; diff <(verdicts "$tmp/in.jsonl") <(verdicts "$tmp/all.jsonl") || true; status=1
    fi
    a=$(tcpdump -nn -r "$f" tcp 2>/dev/null | wc -l)
    b=$(tcpdump -nn -r "$tmp/all.pcap" 2>/dev/null | wc -l)
    [ "$a" = "$b" ] || { echo "FAIL $n: $a TCP packets in, $b written with -W all"; status=1; }
    grep -q "not kept" "$tmp/err" || { echo "FAIL $n: no -w statistics on stderr"; status=1; }
    "$T" -r "$f" --ca-file "$CA" --json --no-summary -w "$tmp/failed.pcap" >/dev/null 2>&1
    "$T" -r "$tmp/failed.pcap" --ca-file "$CA" --json --no-summary "${again[@]}" >"$tmp/failed.jsonl" 2>/dev/null || true
    # Exactly the failed connections, whole: a connection first reported ok and failed at its
    # close (a keep-alive race) is re-read as both, so compare connections, then causes.
    jq -c 'select(.outcome == "failed")' "$tmp/in.jsonl" >"$tmp/want.jsonl"
    want_failed=$(jq -r '[.outcome, .cause] | @tsv' "$tmp/want.jsonl" | sort)
    got_failed=$(jq -r 'select(.outcome == "failed") | [.outcome, .cause] | @tsv' "$tmp/failed.jsonl" | sort)
    if [ "$(conns_of "$tmp/want.jsonl")" != "$(conns_of "$tmp/failed.jsonl")" ] ||
        [ "$want_failed" != "$got_failed" ]; then
        echo "FAIL $n: -W failed wrote other connections than the failed ones"; status=1
    fi
    failed_conns=$((failed_conns + $(jq -s 'length' "$tmp/failed.jsonl")))
    checked=$((checked + 1))
done
[ "$checked" -ge 40 ] || { echo "FAIL only $checked captures checked"; status=1; }
[ "$failed_conns" -ge 20 ] || { echo "FAIL only $failed_conns failed connections written"; status=1; }
# An unwritable -w path is an error (exit 2), not a silent loss.
if "$T" -r samples/ok-tls12.pcap -w /nonexistent/dir/x.pcap >/dev/null 2>"$tmp/err"; then
    echo "FAIL -w to an unwritable path succeeded"; status=1
fi
grep -q "/nonexistent/dir/x.pcap" "$tmp/err" || { echo "FAIL -w error does not name the file"; status=1; }
echo "write: $checked captures, $failed_conns failed connections written and re-analysed"
exit $status
