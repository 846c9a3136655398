#!/usr/bin/env bash
# -j 2 against -j 1: the reader thread changes who reads and decodes, not what comes out. Every
# sample and variant (text -vv with the summary, and JSON), several files at once, -c, a file cut
# in a record, a frame longer than a chunk, -w: stdout, stderr, exit status and the -w file are
# byte-identical. Then drd on two samples with -j 2: no data race, no lock misuse.
set -euo pipefail
cd "$TW_SOURCE_DIR"
T=${TLSWHY:-build/tlswhy}
CA=samples/pki/root.pem
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0 compared=0

# same NAME ARGS...: runs tlswhy with -j 1 and -j 2 and compares everything they produce.
same() {
    local name=$1; shift
    local j
    for j in 1 2; do
        set +e
        "$T" -j "$j" "$@" >"$tmp/out$j" 2>"$tmp/err$j"
        echo $? >"$tmp/rc$j"
        set -e
    done
    for k in out err rc; do
        if ! cmp -s "$tmp/${k}1" "$tmp/${k}2"; then
            echo "FAIL $name: -j 2 $k differs from -j 1 ($*)"; diff "$tmp/${k}1" "$tmp/${k}2" | head -5 || true
            status=1
        fi
    done
    compared=$((compared + 1))
}

# same_report NAME ARGS...: the --report Markdown of both (it has the decoder's counters, merged
# from the reader's chunks), but for the command line it quotes.
same_report() {
    local name=$1; shift
    local j
    for j in 1 2; do
        "$T" -j "$j" "$@" --report "$tmp/r.md" >/dev/null 2>&1 || true
        grep -v '^| command line' "$tmp/r.md" >"$tmp/report$j" || true
    done
    grep -q "packets read" "$tmp/report1" || { echo "FAIL $name: no packets read in the report"; status=1; }
    cmp -s "$tmp/report1" "$tmp/report2" || { echo "FAIL $name: -j 2 report differs"; diff "$tmp/report1" "$tmp/report2" | head -5 || true; status=1; }
    compared=$((compared + 1))
}

args_of() { [ -f "$1" ] && cat "$1" || true; }
runs=0
for f in samples/*.pcap; do
    n=$(basename "$f" .pcap)
    for v in "" samples/"$n"@*.args; do
        [ -z "$v" ] || [ -f "$v" ] || continue
        # shellcheck disable=SC2207 # .args files hold plain words, as golden.py reads them
        a=(--ca-file "$CA" $(args_of "samples/$n.args") $( [ -z "$v" ] || cat "$v"))
        same "$n${v:+ $v}" -r "$f" "${a[@]}" -vv --color=never
        same "$n${v:+ $v} json" -r "$f" "${a[@]}" --json
        runs=$((runs + 1))
    done
done
[ "$runs" -ge 60 ] || { echo "FAIL only $runs samples and variants"; status=1; }

# Every sample three times in one run: many chunks, frame numbers running on across files.
all=(); for f in samples/*.pcap samples/*.pcap samples/*.pcap; do all+=(-r "$f"); done
frames=$(for f in samples/*.pcap; do tcpdump -nn -r "$f" 2>/dev/null; done | wc -l)
frames=$((frames * 3))
[ "$frames" -gt 2048 ] || { echo "FAIL the samples hold $frames frames, fewer than 4 chunks"; status=1; }
same "all files" "${all[@]}" --ca-file "$CA" --json -vv
same "all files, text" "${all[@]}" --ca-file "$CA" --color=never
same_report "all files, report" "${all[@]}" --ca-file "$CA"
for c in 1 100 1000 $((frames - 1)); do
    same "all files -c $c" "${all[@]}" --ca-file "$CA" --json -c "$c"
done
same "two files" -r samples/ok-tls12.pcap -r samples/cert-expired-tls13.pcap --ca-file "$CA" -vv

# One file of many chunks, so the pool of 8 goes round: a sample's records repeated 200 times,
# each copy 1000 s later (its connections end before the next copy starts).
python3 - samples/hostile-names.pcap "$tmp/many.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\xd4\xc3\xb2\xa1", "expected a little-endian microsecond pcap"
recs, off = [], 24
while off < len(data):
    sec, usec, cap, wire = struct.unpack_from("<IIII", data, off)
    recs.append((sec, usec, wire, data[off + 16:off + 16 + cap]))
    off += 16 + cap
with open(sys.argv[2], "wb") as o:
    o.write(data[:24])
    for k in range(200):
        for sec, usec, wire, b in recs:
            o.write(struct.pack("<IIII", sec + 1000 * k, usec, len(b), wire) + b)
PY
same "one file of many chunks" -r "$tmp/many.pcap" --ca-file "$CA" --json
same "one file of many chunks, -c 5000" -r "$tmp/many.pcap" --ca-file "$CA" -c 5000
same_report "one file of many chunks, report" -r "$tmp/many.pcap" --ca-file "$CA" -c 7000
[ "$(wc -l <"$tmp/out2")" -gt 100 ] || { echo "FAIL the many-chunk file gave $(wc -l <"$tmp/out2") lines"; status=1; }

# A file cut in the middle of a record: the frames before it, then the same error.
big=$(ls -S samples/*.pcap | head -1)
head -c $(($(stat -c %s "$big") - 7)) "$big" >"$tmp/cut.pcap"
same "truncated" -r "$tmp/cut.pcap" --ca-file "$CA" --json
grep -q "truncated record" "$tmp/err2" || { echo "FAIL -j 2 does not report the truncated record"; status=1; }
same "truncated then another file" -r "$tmp/cut.pcap" -r samples/ok-tls12.pcap --ca-file "$CA"

# Frames longer than a chunk (256 KiB; D-Bus captures allow 128 MiB) between short ones.
python3 - "$tmp/long.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as o:
    o.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 1 << 27, 231))
    for i, n in enumerate([60, 300000, 40, 70000, 70000, 70000, 400000, 10]):
        o.write(struct.pack("<IIII", 1700000000 + i, 0, n, n) + bytes([i]) * n)
PY
same "long frames" -r "$tmp/long.pcap" -r samples/ok-tls12.pcap --ca-file "$CA" --json -vv
same_report "long frames, report" -r "$tmp/long.pcap" -r samples/ok-tls12.pcap --ca-file "$CA"

# -w: the same packets written, byte for byte.
for j in 1 2; do
    "$T" -j "$j" "${all[@]}" --ca-file "$CA" --json -w "$tmp/w$j.pcap" -W all >/dev/null 2>&1 || true
done
if ! cmp -s "$tmp/w1.pcap" "$tmp/w2.pcap" || [ ! -s "$tmp/w1.pcap" ]; then
    echo "FAIL -w file of -j 2 differs from -j 1's (or is empty)"; status=1
fi

# Usage: N > 2 is refused with exit 2, naming what is supported.
set +e; "$T" -j 3 -r samples/ok-tls12.pcap >/dev/null 2>"$tmp/err"; rc=$?; set -e
[ "$rc" = 2 ] && grep -q "supported are 1" "$tmp/err" || { echo "FAIL -j 3: exit $rc, $(cat "$tmp/err")"; status=1; }

# drd: the hand-over between the threads (mutex, condition variables, chunk contents). A
# sanitizer build cannot run under valgrind: then the normal build beside it (as t_valgrind.sh).
V=$T
if grep -q '__asan_init\|__ubsan_handle' <(nm "$T" 2>/dev/null); then V=build/tlswhy; fi
if ! command -v valgrind >/dev/null || [ ! -x "$V" ]; then
    echo "FAIL valgrind (scripts/deps.sh test) or $V is missing"; status=1
else
    for f in samples/ok-tls12.pcap "$big"; do
        if ! valgrind --tool=drd --error-exitcode=99 -q "$V" -j 2 -r "$f" -r "$f" --ca-file "$CA" \
            --json >/dev/null 2>"$tmp/drd"; then
            echo "FAIL drd on $f:"; head -20 "$tmp/drd"; status=1
        fi
    done
fi
echo "threads: $compared comparisons of -j 2 against -j 1 ($runs samples and variants), -w, drd on $V"
exit $status
