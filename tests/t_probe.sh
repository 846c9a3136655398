#!/usr/bin/env bash
# Active confirmation against real openssl s_server instances (samples/pki certificates):
#  1. `tlswhy probe` on loopback: expired leaf -> cert_expired, exit 1; *.mydomain.test asked for
#     mydomain.test -> cert_name_mismatch, exit 1; a good leaf -> no defect, exit 0; a closed
#     port -> exit 2.
#  2. `tlswhy --probe` on the client-rejected-tls13 capture (client_rejected without keys),
#     inside a network namespace pair of its own where 192.0.2.20:443 serves the expired leaf:
#     the verdict keeps its wire cause and gets a probe that confirms cert_expired; with the
#     -rst capture too (two connections to the same server and SNI) it still probes once
#     (s_server accepts one connection only: a second probe would be refused). Without --probe,
#     no probe.
# Needs root (network namespaces); every process is bounded by timeout and killed by pid.
set -euo pipefail
P=$TW_SOURCE_DIR/samples/pki
TMP=$(mktemp -d)
NS=tw7p$$
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS-c" 2>/dev/null || true
    ip netns del "$NS-s" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }

# serve NS|- ADDR:PORT LEAF: one-connection s_server, waits until it listens.
serve() {
    local ns=$1 at=$2 leaf=$3 pre=()
    [ "$ns" = - ] || pre=(ip netns exec "$ns")
    "${pre[@]}" timeout 30 openssl s_server -accept "$at" -naccept 1 -quiet \
        -cert "$P/$leaf.pem" -key "$P/$leaf.key" -cert_chain "$P/chain.pem" \
        </dev/null >"$TMP/server-$leaf.out" 2>&1 &
    PIDS+=("$!")
    for _ in $(seq 50); do
        "${pre[@]}" ss -Hltn "sport = :${at##*:}" | grep -q . && return 0
        sleep 0.1
    done
    fail "s_server $leaf did not start"
}

# probe_expect PORT LEAF SNI CODE TEXT
probe_expect() {
    local port=$1 leaf=$2 sni=$3 code=$4 text=$5 rc=0
    serve - "127.0.0.1:$port" "$leaf"
    timeout 20 "$TLSWHY" probe "127.0.0.1:$port" --sni "$sni" --ca-file "$P/root.pem" \
        --timeout 3000 >"$TMP/out" 2>&1 || rc=$?
    [ "$rc" = "$code" ] || fail "probe $leaf: exit $rc, expected $code: $(cat "$TMP/out")"
    grep -q -- "$text" "$TMP/out" || fail "probe $leaf: no '$text' in: $(cat "$TMP/out")"
    echo "ok probe $leaf sni=$sni: exit $rc, $text"
}

base=$((20000 + $$ % 20000))
probe_expect "$base" expired origin.test 1 "confirmed cert_expired: .*< probe time"
probe_expect "$((base + 1))" wildcard mydomain.test 1 "confirmed cert_name_mismatch"
probe_expect "$((base + 2))" ok origin.test 0 "the presented chain shows no defect"
rc=0
timeout 20 "$TLSWHY" probe "127.0.0.1:$((base + 3))" --sni origin.test --timeout 2000 \
    >"$TMP/out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q connect_failed "$TMP/out" || fail "closed port: exit $rc: $(cat "$TMP/out")"
echo "ok probe closed port: exit 2"

# 2. --probe on a capture, in namespaces of our own.
ip netns add "$NS-c"
ip netns add "$NS-s"
ip link add veth-c netns "$NS-c" type veth peer name veth-s netns "$NS-s"
ip -n "$NS-c" addr add 192.0.2.10/24 dev veth-c
ip -n "$NS-s" addr add 192.0.2.20/24 dev veth-s
for n in c s; do
    ip -n "$NS-$n" link set lo up
    ip -n "$NS-$n" link set "veth-$n" up
done
CAP=$TW_SOURCE_DIR/samples/client-rejected-tls13.pcap
ip netns exec "$NS-c" timeout 20 "$TLSWHY" --json --no-summary --ca-file "$P/root.pem" \
    -r "$CAP" >"$TMP/plain.json"
grep -q '"cause":"client_rejected"' "$TMP/plain.json" || fail "no client_rejected without --probe"
! grep -q '"probe"' "$TMP/plain.json" || fail "a probe without --probe"
serve "$NS-s" 192.0.2.20:443 expired
ip netns exec "$NS-c" timeout 30 "$TLSWHY" --probe --probe-timeout 3000 --json --no-summary \
    --ca-file "$P/root.pem" -r "$CAP" -r "${CAP%.pcap}-rst.pcap" >"$TMP/probe.json"
python3 - "$TMP/probe.json" <<'PY'
import json, sys
conns = [json.loads(l) for l in open(sys.argv[1])]
assert len(conns) == 2, len(conns)
for c in conns:
    assert c["cause"] == "client_rejected", c["cause"]          # the wire evidence is unchanged
    p = c["probe"]
    assert p["status"] == "done", p                               # one probe, shared by both
    # the capture's client offered TLS 1.3 only, TLS_AES_256_GCM_SHA384 first: so did the probe
    assert p["version"] == "TLSv1.3" and p["cipher"] == "TLS_AES_256_GCM_SHA384", p
    assert p["server"] == "192.0.2.20:443" and p["sni"] == "origin.test", p
    assert p["cause"] == "cert_expired" and "probe time" in p["explanation"], p
    assert p["chain"][0]["subject_cn"] == "origin.test", p["chain"]
    assert all(f["frame"] is None for f in p["findings"]), p["findings"]
print("ok --probe: client_rejected kept, probe confirms cert_expired, one probe for two connections")
PY
ip netns exec "$NS-c" timeout 30 "$TLSWHY" --probe --probe-timeout 3000 --no-summary \
    --ca-file "$P/root.pem" -r "$CAP" >"$TMP/probe.txt"
grep -q "FAILED client_rejected" "$TMP/probe.txt" || fail "text: $(cat "$TMP/probe.txt")"
grep -q "probe of 192.0.2.20:443 sni=origin.test .*not from the capture): connect_failed" \
    "$TMP/probe.txt" || fail "text probe line: $(cat "$TMP/probe.txt")"
echo "ok --probe text line (the server is gone: connect_failed is reported, not hidden)"
