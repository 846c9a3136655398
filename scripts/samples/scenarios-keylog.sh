#!/usr/bin/env bash
# scenarios-keylog.sh [NAME...|all|list]: the key log samples (issue 7), with the namespaces and
# capture of lib.sh. Each scenario writes samples/NAME.pcap and samples/NAME.keylog (s_client
# -keylogfile: CLIENT_RANDOM lines in TLS 1.2, the traffic secrets in TLS 1.3) and
# samples/NAME@keylog.args, so tests/golden.py checks the capture with and without the key log.
# `dsb` makes samples/cert-name-mismatch-apex-tls13-dsb.pcap: the TLS 1.3 capture with its key
# log embedded as a pcapng Decryption Secrets Block (editcap --inject-secrets), read without
# --keylog.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sw_cleanup EXIT
trap 'exit 130' INT TERM

P=$SW_PKI
CHAIN=(-cert_chain "$P/chain.pem")
ORIGIN=(-servername origin.test -verify_hostname origin.test -verify_return_error)

# kl NAME CLIENT-INPUT SERVER-ARGS... -- CLIENT-ARGS...: s_server (one connection) and s_client
# with -keylogfile; CLIENT-INPUT is printf'd to the client's stdin, one line per second, and the
# client stays until its input is over (-ign_eof is not used: EOF makes it close).
kl() {
    local name=$1 input=$2; shift 2
    local s=() c=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do s+=("$1"); shift; done
    shift
    c=("$@")
    rm -f "$SW_SAMPLES/$name.keylog"
    sw_net
    printf 'hello from origin.test\n' >"$SW_TMP/hello.txt"
    sw_cap_start "$name" "tcp port 443"
    cd "$SW_TMP"
    sw_bg "$NS_S" timeout 20 openssl s_server -accept "$IP_S:443" -naccept 1 -quiet \
        -cert "$P/ok.pem" -key "$P/ok.key" "${CHAIN[@]}" "${s[@]}" >"$SW_TMP/server.out" 2>&1 </dev/null
    sw_wait_listen "$NS_S" 443
    cd "$SW_ROOT"
    { printf '%b' "$input"; sleep 2; } |
        timeout 10 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:443" -CAfile "$P/root.pem" \
            "${ORIGIN[@]}" -keylogfile "$SW_SAMPLES/$name.keylog" "${c[@]}" >"$SW_TMP/client.out" 2>&1 || true
    sw_log "$name: client: $(grep -a -E -m4 'Verify return code|alert|RENEGOTIATING|error:|Protocol *:|Cipher is|HTTP/1' \
        "$SW_TMP/client.out" | tr '\n' '|' | cut -c1-300)"
    sw_cap_stop
    sw_cleanup
    echo "--keylog samples/$name.keylog" >"$SW_SAMPLES/$name@keylog.args"
}

GET='GET /hello.txt HTTP/1.0\r\nHost: origin.test\r\n\r\n'
# TLS 1.2, AES-256-GCM (explicit nonce): Finished, the answer and close_notify decrypted.
sc_ok-tls12-keylog() { kl ok-tls12-keylog "$GET" -WWW -- -tls1_2; }
# TLS 1.2, ChaCha20-Poly1305 (RFC 7905 nonce).
sc_ok-tls12-chacha-keylog() {
    kl ok-tls12-chacha-keylog "$GET" -WWW -- -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
}
# TLS 1.2: the client renegotiates ("R"), the server refuses (-no_renegotiation) with a warning
# alert no_renegotiation and the client gives up with a fatal alert: both alerts come after
# ChangeCipherSpec, so only the key log names them.
sc_renegotiation-refused-tls12() {
    kl renegotiation-refused-tls12 'R\n' -WWW -no_renegotiation -- -tls1_2
}
# TLS 1.3 with the two suites the other samples do not use.
sc_ok-tls13-aes128-keylog() {
    kl ok-tls13-aes128-keylog "$GET" -WWW -- -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
}
sc_ok-tls13-chacha-keylog() {
    kl ok-tls13-chacha-keylog "$GET" -WWW -- -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
}
# The name-mismatch TLS 1.3 capture with its key log inside (pcapng DSB); no namespaces needed.
sc_dsb() {
    local out=$SW_SAMPLES/cert-name-mismatch-apex-tls13-dsb.pcap
    editcap -F pcapng --inject-secrets "tls,$SW_SAMPLES/cert-name-mismatch-apex-tls13.keylog" \
        "$SW_SAMPLES/cert-name-mismatch-apex-tls13.pcap" "$out"
    sw_log "dsb: $(tshark -r "$out" -o tls.keylog_file: -Y 'tls.handshake.type == 11' 2>/dev/null | wc -l) decrypted Certificate message(s) by tshark from the embedded secrets"
}

ALL=(ok-tls12-keylog ok-tls12-chacha-keylog renegotiation-refused-tls12 ok-tls13-aes128-keylog
    ok-tls13-chacha-keylog dsb)

case "${1:-all}" in
list) printf '%s\n' "${ALL[@]}"; exit 0 ;;
all) set -- "${ALL[@]}" ;;
esac
[ "$(id -u)" -eq 0 ] || sw_die "needs root (network namespaces, tcpdump)"
for name in "$@"; do
    declare -F "sc_$name" >/dev/null || sw_die "no scenario $name (see: $0 list)"
    "sc_$name"
    sw_cleanup
done
