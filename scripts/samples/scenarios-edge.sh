#!/usr/bin/env bash
# scenarios-edge.sh [NAME...|all|list]: the captures that tell edge profiles apart (--edge):
# origins an OpenSSL client accepts but CloudFront would not, a keep-alive race, a slow origin.
# Same namespaces, peers and conventions as scenarios.sh (lib.sh); SW_NS_PREFIX keeps runs apart.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sw_cleanup EXIT
trap 'exit 130' INT TERM

P=$SW_PKI
REQ='GET /hello.txt HTTP/1.0\r\nHost: origin.test\r\n\r\n'
ORIGIN=(-servername origin.test -verify_hostname origin.test -verify_return_error)
# A client configured like CloudFront towards an origin: TLS <= 1.2, its documented cipher
# suites, curves and PKCS#1/ECDSA signature schemes (profiles/cloudfront.profile).
CF_CIPHERS='ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA'
CF_LIKE=(-tls1_2 -cipher "$CF_CIPHERS" -groups P-256:P-384:X25519
    -sigalgs 'RSA+SHA256:RSA+SHA384:RSA+SHA512:ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512')

# origin N ARGS...: openssl s_server for N connections on 192.0.2.20:443 serving hello.txt.
origin() {
    local n=$1; shift
    printf 'hello from origin.test\n' >"$SW_TMP/hello.txt"
    (cd "$SW_TMP" && exec ip netns exec "$NS_S" timeout 30 openssl s_server -accept "$IP_S:443" \
        -naccept "$n" -quiet -WWW -cert "$P/ok.pem" -key "$P/ok.key" -cert_chain "$P/chain.pem" \
        "$@" >"$SW_TMP/server.out" 2>&1 </dev/null) &
    SW_PIDS+=("$!")
    sw_wait_listen "$NS_S" 443
}

# client NAME ARGS...: one s_client GET against the origin; logs what it saw.
client() {
    local name=$1; shift
    printf '%b' "$REQ" >"$SW_TMP/req"
    timeout 8 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:443" -CAfile "$P/root.pem" \
        -ign_eof "${ORIGIN[@]}" "$@" <"$SW_TMP/req" >"$SW_TMP/client.out" 2>&1 || true
    sw_log "$name: client: $(grep -a -E -m3 'Verify return code|alert|error:|Protocol *:|HTTP/1' \
        "$SW_TMP/client.out" | tr '\n' '|' | cut -c1-300)"
}

# A TLS 1.3-only origin: fine for a TLS 1.3 client (key log kept, so the chain is judged too);
# CloudFront connects to origins with TLS 1.2 at most.
sc_edge-origin-tls13-only() {
    local n=edge-origin-tls13-only
    sw_net
    sw_cap_start "$n" "tcp port 443"
    origin 1 -tls1_3
    client "$n" -tls1_3 -keylogfile "$SW_SAMPLES/$n.keylog"
    sw_cap_stop
}

# An origin that only offers ChaCha20-Poly1305 with TLS 1.2: a browser-like client gets it (first
# connection), a CloudFront-like client has no suite in common (second connection).
sc_edge-origin-cipher-unsupported() {
    local n=edge-origin-cipher-unsupported
    sw_net
    sw_cap_start "$n" "tcp port 443"
    origin 2 -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
    client "$n" -tls1_2
    client "$n" "${CF_LIKE[@]}"
    sw_cap_stop
}

# An origin that signs only with RSA-PSS: an OpenSSL client gets it (first connection), a
# CloudFront-like client (PKCS#1 and ECDSA only) does not (second connection).
sc_edge-origin-pss-only() {
    local n=edge-origin-pss-only
    sw_net
    sw_cap_start "$n" "tcp port 443"
    origin 2 -tls1_2 -sigalgs rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512
    client "$n" -tls1_2
    client "$n" "${CF_LIKE[@]}"
    sw_cap_stop
}

# The keep-alive race: an nginx origin that closes idle connections after 1 s, and an edge that
# reuses its connection after 2 s without having read the origin's close.
sc_edge-keepalive-race() {
    local n=edge-keepalive-race
    sw_net
    mkdir -p "$SW_TMP/origin/logs"
    cat "$P/ok.pem" "$P/inter.pem" >"$SW_TMP/origin/fullchain.pem"
    cat >"$SW_TMP/origin/nginx.conf" <<CONF
worker_processes 1;
error_log $SW_TMP/origin/logs/error.log;
pid $SW_TMP/origin/nginx.pid;
events { worker_connections 16; }
http {
    access_log $SW_TMP/origin/logs/access.log;
    client_body_temp_path $SW_TMP/origin/body;
    proxy_temp_path $SW_TMP/origin/proxy;
    fastcgi_temp_path $SW_TMP/origin/fastcgi;
    uwsgi_temp_path $SW_TMP/origin/uwsgi;
    scgi_temp_path $SW_TMP/origin/scgi;
    keepalive_timeout 1s;
    server {
        listen $IP_S:443 ssl;
        ssl_certificate $SW_TMP/origin/fullchain.pem;
        ssl_certificate_key $P/ok.key;
        location / { return 200 "hello from origin.test\n"; }
    }
}
CONF
    sw_cap_start "$n" "tcp port 443"
    sw_bg "$NS_S" timeout 20 nginx -p "$SW_TMP/origin" -c "$SW_TMP/origin/nginx.conf" -g 'daemon off;'
    sw_wait_listen "$NS_S" 443
    sw_log "$n: $(timeout 10 ip netns exec "$NS_C" python3 "$SW_DIR/keepalive_client.py" "$IP_S" 443 \
        "$P/root.pem" origin.test 2 2>&1 | tr '\n' '|')"
    sw_cap_stop
}

# A slow origin: a relay in front of s_server holds every chunk from the origin 700 ms
# (slow_relay.py; netem may be missing), so its ServerHello and its response each come late;
# judged with a tight profile (samples/edge-tight.profile: connection and response timeouts
# of 0.5 s).
sc_edge-origin-slow() {
    local n=edge-origin-slow
    sw_net
    printf 'hello from origin.test\n' >"$SW_TMP/hello.txt"
    (cd "$SW_TMP" && exec ip netns exec "$NS_S" timeout 30 openssl s_server -accept 127.0.0.1:4443 \
        -naccept 1 -quiet -WWW -cert "$P/ok.pem" -key "$P/ok.key" -cert_chain "$P/chain.pem" \
        >"$SW_TMP/server.out" 2>&1 </dev/null) &
    SW_PIDS+=("$!")
    sw_wait_listen "$NS_S" 4443
    sw_bg "$NS_S" timeout 30 python3 "$SW_DIR/slow_relay.py" "$IP_S" 443 127.0.0.1 4443 0.7
    sw_wait_listen "$NS_S" 443
    sw_cap_start "$n" "tcp port 443"
    client "$n" -tls1_2
    sw_cap_stop
}

ALL=(edge-origin-tls13-only edge-origin-cipher-unsupported edge-origin-pss-only
    edge-keepalive-race edge-origin-slow)

[ "$(id -u)" -eq 0 ] || sw_die "needs root (network namespaces, tcpdump)"
case "${1:-all}" in
list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
all) set -- "${ALL[@]}" ;;
esac
for name in "$@"; do
    declare -F "sc_$name" >/dev/null || sw_die "no scenario $name (see: $0 list)"
    "sc_$name"
    sw_cleanup
done
