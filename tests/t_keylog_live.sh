#!/usr/bin/env bash
# Live capture with a key log that grows while tlswhy runs (--keylog follows it on -i): in
# network namespaces of its own, tlswhy -i starts with an empty key log, then s_client writes
# its secrets into it while failing a TLS 1.3 handshake against a *.mydomain.test certificate
# for mydomain.test. Without the secrets the verdict would be client_rejected (the certificate
# is encrypted); with them it is cert_name_mismatch. Needs root; every process is bounded.
set -euo pipefail
P=$TW_SOURCE_DIR/samples/pki
TMP=$(mktemp -d)
NS=tw7k$$
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS-c" 2>/dev/null || true
    ip netns del "$NS-s" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS-c"
ip netns add "$NS-s"
ip link add veth-c netns "$NS-c" type veth peer name veth-s netns "$NS-s"
ip -n "$NS-c" addr add 192.0.2.10/24 dev veth-c
ip -n "$NS-s" addr add 192.0.2.20/24 dev veth-s
for n in c s; do
    ip -n "$NS-$n" link set lo up
    ip -n "$NS-$n" link set "veth-$n" up
done
: >"$TMP/keys.log"
ip netns exec "$NS-s" timeout 30 openssl s_server -accept 192.0.2.20:443 -naccept 1 -quiet \
    -cert "$P/wildcard.pem" -key "$P/wildcard.key" -cert_chain "$P/chain.pem" </dev/null \
    >/dev/null 2>&1 &
PIDS+=("$!")
ip netns exec "$NS-c" timeout 30 "$TLSWHY" -i veth-c --keylog "$TMP/keys.log" --json \
    --no-summary --ca-file "$P/root.pem" 'tcp port 443' >"$TMP/out.json" 2>"$TMP/err" &
TP=$!
PIDS+=("$TP")
for _ in $(seq 50); do
    ip netns exec "$NS-s" ss -Hltn "sport = :443" | grep -q . && break
    sleep 0.1
done
sleep 1 # tlswhy's capture is open
ip netns exec "$NS-c" timeout 10 openssl s_client -connect 192.0.2.20:443 -CAfile "$P/root.pem" \
    -servername mydomain.test -verify_hostname mydomain.test -verify_return_error -tls1_3 \
    -keylogfile "$TMP/keys.log" </dev/null >/dev/null 2>&1 || true
sleep 1
kill -INT "$TP"
wait "$TP" || true
grep -q SERVER_HANDSHAKE_TRAFFIC_SECRET "$TMP/keys.log" || { echo "FAIL: s_client wrote no secret"; exit 1; }
python3 - "$TMP/out.json" <<'PY'
import json, sys
conns = [json.loads(l) for l in open(sys.argv[1])]
assert len(conns) == 1, conns
c = conns[0]
assert c["cause"] == "cert_name_mismatch", (c["cause"], c["explanation"])
assert c["decryption"]["status"] == "decrypted", c["decryption"]
assert "SERVER_HANDSHAKE_TRAFFIC_SECRET" in c["decryption"]["secrets"], c["decryption"]
print("ok live: secrets written during the capture were followed: cert_name_mismatch")
PY
