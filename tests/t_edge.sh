#!/usr/bin/env bash
# --edge: the verdict and the edge judgement of real captures under each shipped profile (and a
# user's file), asserted field by field; a broken profile is a usage error naming its line.
set -euo pipefail
cd "$TW_SOURCE_DIR"
fail=0
# edge SAMPLE PROFILE EXPR: the Python expression EXPR holds for every connection's JSON (c).
edge() {
    local sample=$1 profile=$2 expr=$3
    if ! "$TLSWHY" --no-summary --json --ca-file samples/pki/root.pem --edge "$profile" \
        -r "samples/$sample.pcap" | python3 -c "
import json, sys
# A connection reported early can be reported again at its close (docs/json.md): judge the
# last word on each connection.
final = {}
for l in sys.stdin:
    c = json.loads(l)
    final[c['conn']] = c
conns = list(final.values())
assert conns, 'no connection'
for c in conns:
    e = c['edge']
    rules = {r['rule']: r for r in e['rules']}
    assert ($expr), (c['outcome'], c['cause'], e)
"; then
        echo "FAIL $sample --edge $profile: $expr"
        fail=1
    fi
}
# A misordered chain an OpenSSL client accepts: fine for openssl, rejected by cloudfront and
# strict, for that reason and with the documented source.
edge warn-chain-misordered-ok openssl "c['outcome'] == 'ok' and e['accepts'] is True and not rules"
edge warn-chain-misordered-ok cloudfront "c['outcome'] == 'ok' and e['accepts'] is False and rules['chain_order']['certain'] and 'http-502-bad-gateway' in rules['chain_order']['source']"
edge warn-chain-misordered-ok strict "e['accepts'] is False and rules['chain_order']['code'] == 'cert_chain_misordered'"
# A client that drops a misordered chain silently: the cause quotes the profile's rule.
edge cert-chain-misordered-strict-tls12 cloudfront "c['cause'] == 'cert_chain_misordered' and 'cloudfront rejects a chain in the wrong order' in c['explanation']"
# A TLS 1.3-only origin: ok for its TLS 1.3 client; cloudfront (TLS <= 1.2) may not connect.
edge edge-origin-tls13-only openssl "c['outcome'] == 'ok' and 'versions' not in rules"
edge edge-origin-tls13-only cloudfront "c['outcome'] == 'ok' and rules['versions']['code'] == 'protocol_mismatch' and not rules['versions']['certain'] and e['accepts'] is None"
# ChaCha20-only and RSA-PSS-only origins: the browser-like client's connection warns, the
# CloudFront-like client's fails with cipher_mismatch.
edge edge-origin-cipher-unsupported cloudfront "(c['outcome'] == 'ok' and 'ciphers' in rules) or (c['cause'] == 'cipher_mismatch' and 'source: https://docs.aws' in c['explanation'])"
edge edge-origin-pss-only cloudfront "(c['outcome'] == 'ok' and rules['signature_schemes']['code'] == 'cipher_mismatch') or c['cause'] == 'cipher_mismatch'"
edge edge-origin-pss-only strict "c['outcome'] != 'ok' or 'signature_schemes' not in rules"
# The keep-alive race is a failure under every profile; cloudfront's quotes its 5 s timeout.
for p in openssl strict cloudfront; do
    edge edge-keepalive-race $p "c['cause'] == 'origin_keepalive_shorter' and c['stage'] == 'after_handshake'"
done
edge edge-keepalive-race cloudfront "'idle origin connections 5.000 s' in c['explanation'] and 'after 1.0' in c['explanation']"
# nginx dropping an idle upstream connection the origin had closed, then reconnecting: normal.
for p in openssl cloudfront; do
    edge edge-nginx-keepalive-idle $p "c['outcome'] == 'ok' and 'origin_keepalive_shorter' not in c['warnings']"
done
# A user's profile file with 0.5 s timeouts against an origin 0.7 s slow.
edge edge-origin-slow samples/edge-tight.profile "e['profile'] == 'tight' and e['accepts'] is False and set(rules) == {'connect_timeout', 'response_timeout'} and 'origin_response_slow' in c['warnings']"
edge edge-origin-slow cloudfront "'connect_timeout' not in rules and 'origin_connect_slow' not in c['warnings']"
# Without --edge there is no edge object (the default output is unchanged).
if "$TLSWHY" --no-summary --json -r samples/ok-tls12.pcap | grep -q '"edge"'; then
    echo "FAIL an edge object without --edge"; fail=1
fi
# A broken profile: exit 2, and the message names the file and the line.
bad=$(mktemp)
printf 'name = x\nversions = TLSv1.2\nciphers = 0xc02f bogus\n' >"$bad"
set +e
msg=$("$TLSWHY" --edge "$bad" -r samples/ok-tls12.pcap 2>&1 >/dev/null)
rc=$?
set -e
rm -f "$bad"
if [ $rc -ne 2 ] || ! grep -q "line 3: 'bogus' is not a 16-bit IANA code" <<<"$msg"; then
    echo "FAIL a broken profile: exit $rc, '$msg'"; fail=1
fi
[ $fail -eq 0 ] && echo "edge: every profile verdict as expected"
exit $fail
