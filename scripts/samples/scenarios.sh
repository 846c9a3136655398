#!/usr/bin/env bash
# scenarios.sh [NAME...|all|list]: captures the sample scenarios into samples/NAME.pcap.
#
# Each scenario gets fresh namespaces (lib.sh), a real server in tws-srv (192.0.2.20), a real
# client in tws-cli (192.0.2.10), and tcpdump on the client's veth with a `tcp port 443` filter
# (the edge scenarios capture the edge -> origin leg). TLS clients trust only samples/pki/root.pem.
# Every process is bounded by `timeout` and killed by pid on exit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sw_cleanup EXIT
trap 'exit 130' INT TERM

P=$SW_PKI
PEERS=$SW_DIR/peers.py
REQ='GET /hello.txt HTTP/1.0\r\nHost: origin.test\r\n\r\n'
# Where srv listens and cli connects; a scenario may override it (dynamic scope: `local SRV_AT`).
SRV_AT=$IP_S:443

# srv ARGS...: openssl s_server for one connection on 192.0.2.20:443. An argument leaf:NAME
# stands for the certificate and key samples/pki/NAME.{pem,key}. -quiet matters: without it
# s_server takes EOF on stdin as "quit" and closes the connection before the handshake.
srv() {
    local a args=()
    for a in "$@"; do
        case $a in
        leaf:*) args+=(-cert "$P/${a#leaf:}.pem" -key "$P/${a#leaf:}.key") ;;
        *) args+=("$a") ;;
        esac
    done
    sw_bg "$NS_S" timeout 20 openssl s_server -accept "$SRV_AT" -naccept 1 -quiet "${args[@]}" \
        >"$SW_TMP/server.out" 2>&1 </dev/null
    sw_wait_listen "$NS_S" 443
}

# cli NAME [get] ARGS...: openssl s_client to 192.0.2.20:443; with `get`, sends an HTTP request
# after the handshake and reads the answer. Never fails the script: failing is the point.
cli() {
    local name=$1; shift
    local input=/dev/null ign=()
    if [ "${1:-}" = get ]; then
        shift
        printf '%b' "$REQ" >"$SW_TMP/req"
        input=$SW_TMP/req
        ign=(-ign_eof)
    fi
    timeout 8 ip netns exec "$NS_C" openssl s_client -connect "$SRV_AT" -CAfile "$P/root.pem" \
        "${ign[@]}" "$@" <"$input" >"$SW_TMP/client.out" 2>&1 || true
    [ -z "${SW_DEBUG:-}" ] || cat "$SW_TMP/client.out" "$SW_TMP/server.out" >&2
    sw_log "$name: client: $(grep -a -E -m3 'Verify return code|alert|errno|error:|Protocol *:|HTTP/1' \
        "$SW_TMP/client.out" | tr '\n' '|' | cut -c1-300)"
}

# tls NAME [keylog] SERVER-ARGS... -- CLIENT-ARGS...: one handshake between s_server and
# s_client. "keylog" makes the client write samples/NAME.keylog (TLS 1.3 cases). A scenario may
# set TLS_NET (local) to pass an option to sw_net, e.g. ipv6.
tls() {
    local name=$1; shift
    local keylog=() s=() c=()
    rm -f "$SW_SAMPLES/$name.keylog"
    if [ "${1:-}" = keylog ]; then shift; keylog=(-keylogfile "$SW_SAMPLES/$name.keylog"); fi
    while [ $# -gt 0 ] && [ "$1" != -- ]; do s+=("$1"); shift; done
    shift
    c=("$@")
    sw_net "${TLS_NET:-}"
    printf 'hello from origin.test\n' >"$SW_TMP/hello.txt"
    sw_cap_start "$name" "tcp port 443"
    cd "$SW_TMP"
    srv "${s[@]}"
    cd "$SW_ROOT"
    cli "$name" "${c[@]}" "${keylog[@]}"
    sw_cap_stop
    sw_cleanup
}
# The usual client: SNI and hostname check for origin.test, fail on any verify error.
ORIGIN=(-servername origin.test -verify_hostname origin.test -verify_return_error)
CHAIN=(-cert_chain "$P/chain.pem")

# --- 1. the demo ------------------------------------------------------------------------
sc_cert-name-mismatch-apex() {
    tls cert-name-mismatch-apex leaf:wildcard "${CHAIN[@]}" -- -servername mydomain.test \
        -verify_hostname mydomain.test -verify_return_error -tls1_2
}
sc_cert-name-mismatch-apex-tls13() {
    tls cert-name-mismatch-apex-tls13 keylog leaf:wildcard "${CHAIN[@]}" -- \
        -servername mydomain.test -verify_hostname mydomain.test -verify_return_error -tls1_3
}
# --- 2. good connections -------------------------------------------------------------------
sc_ok-tls12() { tls ok-tls12 leaf:ok "${CHAIN[@]}" -WWW -- get "${ORIGIN[@]}" -tls1_2; }
sc_ok-tls13() { tls ok-tls13 keylog leaf:ok "${CHAIN[@]}" -WWW -- get "${ORIGIN[@]}" -tls1_3; }
# --- 3. certificate failures ---------------------------------------------------------------
sc_cert-expired-tls12() { tls cert-expired-tls12 leaf:expired "${CHAIN[@]}" -- "${ORIGIN[@]}" -tls1_2; }
sc_cert-expired-tls13() {
    tls cert-expired-tls13 keylog leaf:expired "${CHAIN[@]}" -- "${ORIGIN[@]}" -tls1_3
}
sc_cert-not-yet-valid-tls12() {
    tls cert-not-yet-valid-tls12 leaf:notyet "${CHAIN[@]}" -- "${ORIGIN[@]}" -tls1_2
}
sc_cert-self-signed-tls12() { tls cert-self-signed-tls12 leaf:selfsigned -- "${ORIGIN[@]}" -tls1_2; }
sc_cert-untrusted-tls12() {
    tls cert-untrusted-tls12 leaf:untrusted -cert_chain "$P/other-root.pem" -- "${ORIGIN[@]}" -tls1_2
}
sc_cert-untrusted-tls13() {
    tls cert-untrusted-tls13 keylog leaf:untrusted -cert_chain "$P/other-root.pem" -- \
        "${ORIGIN[@]}" -tls1_3
}
sc_cert-chain-incomplete-tls12() { tls cert-chain-incomplete-tls12 leaf:ok -- "${ORIGIN[@]}" -tls1_2; }
# The server needs security level 0 to load a 1024-bit key or a SHA-1-signed certificate; the
# client stays at Debian's default (level 2) and refuses them.
sc_cert-weak-key-tls12() {
    tls cert-weak-key-tls12 leaf:weak "${CHAIN[@]}" -cipher DEFAULT@SECLEVEL=0 -- \
        "${ORIGIN[@]}" -tls1_2
}
sc_cert-weak-sig-sha1-tls12() {
    tls cert-weak-sig-sha1-tls12 leaf:sha1 "${CHAIN[@]}" -cipher DEFAULT@SECLEVEL=0 -- \
        "${ORIGIN[@]}" -tls1_2
}
# --- 4. TCP and protocol level ---------------------------------------------------------------
sc_tcp-refused() {
    sw_net
    sw_cap_start tcp-refused "tcp port 443"
    cli tcp-refused "${ORIGIN[@]}"
    sw_cap_stop
}
sc_tcp-no-answer() {
    sw_net
    # Nobody owns 192.0.2.20 any more, but the client still has a (static) neighbour entry for
    # it: its SYNs really leave, reach the old origin's interface and are dropped there silently
    # (not a local address, no forwarding, so no ICMP either).
    nsx "$NS_S" ip addr del "$IP_S/24" dev veth-s
    nsx "$NS_C" ip neigh replace "$IP_S" lladdr 02:00:00:00:02:14 dev veth-c nud permanent
    sw_cap_start tcp-no-answer "tcp port 443"
    # s_client has no connect timeout: the kernel retransmits the SYN (about every second on
    # recent kernels, see tcp_syn_linear_timeouts) until `timeout` ends the attempt at 6 s.
    timeout 6 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:443" -servername origin.test \
        </dev/null >"$SW_TMP/client.out" 2>&1 || true
    sw_cap_stop
}
# pyserver NAME MODE: peers.py MODE on 192.0.2.20:443 against s_client.
pyserver() {
    local name=$1 mode=$2
    sw_net
    sw_cap_start "$name" "tcp port 443"
    sw_bg "$NS_S" timeout 20 python3 "$PEERS" "$mode" "$IP_S" 443
    sw_wait_listen "$NS_S" 443
    cli "$name" "${ORIGIN[@]}" -tls1_2
    sw_cap_stop
}
# The client waits 5 s for the silent server, then gives up (timeout kills it: FIN).
sc_server-silent() {
    sw_net
    sw_cap_start server-silent "tcp port 443"
    sw_bg "$NS_S" timeout 20 python3 "$PEERS" silent "$IP_S" 443
    sw_wait_listen "$NS_S" 443
    timeout 5 ip netns exec "$NS_C" openssl s_client -connect "$IP_S:443" "${ORIGIN[@]}" \
        -CAfile "$P/root.pem" -tls1_2 </dev/null >"$SW_TMP/client.out" 2>&1 || true
    sw_cap_stop
}
sc_server-closed-early-fin() { pyserver server-closed-early-fin close; }
sc_server-closed-early-rst() { pyserver server-closed-early-rst reset; }
sc_plaintext-server() {
    sw_net
    mkdir -p "$SW_TMP/nginx/logs"
    cat >"$SW_TMP/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $SW_TMP/nginx/logs/error.log;
pid $SW_TMP/nginx/nginx.pid;
events { worker_connections 16; }
http {
    access_log $SW_TMP/nginx/logs/access.log;
    client_body_temp_path $SW_TMP/nginx/body;
    proxy_temp_path $SW_TMP/nginx/proxy;
    fastcgi_temp_path $SW_TMP/nginx/fastcgi;
    uwsgi_temp_path $SW_TMP/nginx/uwsgi;
    scgi_temp_path $SW_TMP/nginx/scgi;
    server { listen $IP_S:443; return 200 "plain http\n"; }
}
CONF
    sw_cap_start plaintext-server "tcp port 443"
    sw_bg "$NS_S" timeout 20 nginx -p "$SW_TMP/nginx" -c "$SW_TMP/nginx/nginx.conf" -g 'daemon off;'
    sw_wait_listen "$NS_S" 443
    cli plaintext-server "${ORIGIN[@]}" -tls1_2
    sw_cap_stop
}
sc_protocol-mismatch() { tls protocol-mismatch leaf:ok "${CHAIN[@]}" -tls1_3 -- "${ORIGIN[@]}" -tls1_2; }
# A TLS 1.0-only client. With an explicit minimum version the server answers protocol_version;
# with Debian's defaults alone (security level 2 rules TLS 1.0 out) OpenSSL finds no usable
# version and answers internal_error instead: both are real, so both are kept.
sc_protocol-mismatch-tls10() {
    tls protocol-mismatch-tls10 leaf:ok "${CHAIN[@]}" -min_protocol TLSv1.2 -- "${ORIGIN[@]}" \
        -tls1 -cipher DEFAULT@SECLEVEL=0
}
sc_protocol-mismatch-tls10-seclevel() {
    tls protocol-mismatch-tls10-seclevel leaf:ok "${CHAIN[@]}" -- "${ORIGIN[@]}" -tls1 \
        -cipher DEFAULT@SECLEVEL=0
}
sc_cipher-mismatch() {
    tls cipher-mismatch leaf:ok "${CHAIN[@]}" -cipher ECDHE-RSA-AES256-GCM-SHA384 -- \
        "${ORIGIN[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA
}
sc_sni-unrecognized() {
    tls sni-unrecognized leaf:ok "${CHAIN[@]}" -servername known.test -servername_fatal \
        -cert2 "$P/ok.pem" -key2 "$P/ok.key" -- -servername other.test -verify_return_error -tls1_2
}
sc_client-cert-required-tls12() {
    tls client-cert-required-tls12 leaf:ok "${CHAIN[@]}" -Verify 1 -- "${ORIGIN[@]}" -tls1_2
}
# In TLS 1.3 the client's handshake is over once it sent its Finished; like a real client it then
# sends its request, and the server's certificate_required alert answers that. (Without a
# request, s_client closes at once and races the alert.)
sc_client-cert-required-tls13() {
    tls client-cert-required-tls13 keylog leaf:ok "${CHAIN[@]}" -Verify 1 -- get "${ORIGIN[@]}" -tls1_3
}
sc_alert-other() {
    sw_net
    sw_cap_start alert-other "tcp port 443"
    srv leaf:ok "${CHAIN[@]}"
    timeout 8 ip netns exec "$NS_C" python3 "$PEERS" badhello "$IP_S" 443 2>&1 | sed 's/^/samples: /' >&2 || true
    sw_cap_stop
}
# --- 5. warnings on connections that work --------------------------------------------------
sc_warn-expires-soon() { tls warn-expires-soon leaf:soon "${CHAIN[@]}" -WWW -- get "${ORIGIN[@]}" -tls1_2; }
sc_warn-legacy-tls10() {
    tls warn-legacy-tls10 leaf:ok "${CHAIN[@]}" -WWW -cipher DEFAULT@SECLEVEL=0 -- get \
        "${ORIGIN[@]}" -tls1 -cipher DEFAULT@SECLEVEL=0
}
# Leaf, root, intermediate: OpenSSL's client builds its own path and accepts it.
sc_warn-chain-misordered-ok() {
    tls warn-chain-misordered-ok leaf:ok -cert_chain "$P/chain-misordered.pem" -WWW -- get \
        "${ORIGIN[@]}" -tls1_2
}
# --- 6. real edges: user (198.51.100.10) -> edge (198.51.100.1 | 192.0.2.10) -> origin ------
# nginx_conf DIR BODY: a minimal nginx.conf that keeps every file inside DIR.
nginx_conf() {
    mkdir -p "$1/logs"
    cat >"$1/nginx.conf" <<CONF
worker_processes 1;
error_log $1/logs/error.log;
pid $1/nginx.pid;
events { worker_connections 16; }
http {
    access_log $1/logs/access.log;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
$2
}
CONF
}
# user_get: the user's curl through the edge; prints what the edge answered.
user_get() {
    local code
    code=$(timeout 10 ip netns exec "$NS_U" curl -s -o /dev/null -w '%{http_code}' \
        -H 'Host: origin.test' "http://$IP_E/hello.txt" || true)
    sw_log "$1: user got HTTP $code from the edge"
}
sc_edge-nginx-cert-expired() {
    local n=edge-nginx-cert-expired
    sw_net edge
    nginx_conf "$SW_TMP/nginx" "    server {
        listen $IP_E:80;
        location / {
            proxy_pass https://$IP_S:443;
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate $P/root.pem;
            proxy_ssl_verify_depth 3;
            proxy_ssl_server_name on;
            proxy_ssl_name origin.test;
            proxy_ssl_protocols TLSv1.2;
        }
    }"
    sw_cap_start "$n" "tcp port 443"
    cd "$SW_TMP"
    srv leaf:expired "${CHAIN[@]}" -WWW
    cd "$SW_ROOT"
    sw_bg "$NS_C" timeout 20 nginx -p "$SW_TMP/nginx" -c "$SW_TMP/nginx/nginx.conf" -g 'daemon off;'
    sw_wait_listen "$NS_C" 80
    user_get "$n"
    sw_cap_stop
    sw_log "$n: nginx: $(grep -a -m1 -o 'upstream SSL certificate[^,]*' "$SW_TMP/nginx/logs/error.log" || true)"
}
sc_edge-haproxy-name-mismatch() {
    local n=edge-haproxy-name-mismatch
    sw_net edge
    cat >"$SW_TMP/haproxy.cfg" <<CONF
defaults
    mode http
    retries 0
    timeout connect 3s
    timeout client 5s
    timeout server 5s
frontend fe
    bind $IP_E:80
    default_backend origin
backend origin
    server origin $IP_S:443 ssl verify required ca-file $P/root.pem sni str(mydomain.test) verifyhost mydomain.test ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2
CONF
    sw_cap_start "$n" "tcp port 443"
    cd "$SW_TMP"
    srv leaf:wildcard "${CHAIN[@]}" -WWW
    cd "$SW_ROOT"
    sw_bg "$NS_C" timeout 20 haproxy -db -f "$SW_TMP/haproxy.cfg"
    sw_wait_listen "$NS_C" 80
    user_get "$n"
    sw_cap_stop
}

# nginx keeps upstream connections alive; the origin (nginx too) closes idle ones after 1 s and
# the user's second request comes 2 s after the first. Captured: what nginx really does then.
sc_edge-nginx-keepalive-idle() {
    local n=edge-nginx-keepalive-idle
    sw_net edge
    nginx_conf "$SW_TMP/origin" "    keepalive_timeout 1s;
    server {
        listen $IP_S:443 ssl;
        ssl_certificate $SW_TMP/origin/fullchain.pem;
        ssl_certificate_key $P/ok.key;
        location / { return 200 \"hello from origin.test\\n\"; }
    }"
    cat "$P/ok.pem" "$P/inter.pem" >"$SW_TMP/origin/fullchain.pem"
    nginx_conf "$SW_TMP/edge" "    upstream origin { server $IP_S:443; keepalive 4; }
    server {
        listen $IP_E:80;
        location / {
            proxy_pass https://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate $P/root.pem;
            proxy_ssl_server_name on;
            proxy_ssl_name origin.test;
            proxy_ssl_protocols TLSv1.2;
            proxy_ssl_session_reuse off;
        }
    }"
    sw_cap_start "$n" "tcp port 443"
    sw_bg "$NS_S" timeout 20 nginx -p "$SW_TMP/origin" -c "$SW_TMP/origin/nginx.conf" -g 'daemon off;'
    sw_bg "$NS_C" timeout 20 nginx -p "$SW_TMP/edge" -c "$SW_TMP/edge/nginx.conf" -g 'daemon off;'
    sw_wait_listen "$NS_S" 443
    sw_wait_listen "$NS_C" 80
    user_get "$n"
    sleep 2
    user_get "$n"
    sw_cap_stop
}

# --- 7. second round: silent clients, plain HTTP, odd certificates, capture loss, HRR, IPv6 ----
# reject NAME 1.2|1.3 fin|rst [keylog]: peers.py reject (a client that drops its alert and just
# closes, like CloudFront, Go or .NET) against s_server with the expired leaf.
reject() {
    local name=$1 ver=$2 how=$3 keylog=()
    rm -f "$SW_SAMPLES/$name.keylog"
    [ "${4:-}" != keylog ] || keylog=("$SW_SAMPLES/$name.keylog")
    sw_net
    sw_cap_start "$name" "tcp port 443"
    srv leaf:expired "${CHAIN[@]}"
    timeout 8 ip netns exec "$NS_C" python3 "$PEERS" reject "$IP_S" 443 "$ver" "$how" \
        "$P/root.pem" "${keylog[@]}" 2>&1 | sed 's/^/samples: /' >&2 || true
    sw_cap_stop
}
sc_client-rejected-tls13() { reject client-rejected-tls13 1.3 fin keylog; }
sc_client-rejected-tls13-rst() { reject client-rejected-tls13-rst 1.3 rst keylog; }
sc_cert-expired-silent-close-tls12() { reject cert-expired-silent-close-tls12 1.2 fin; }
# Plain HTTP to the TLS port: curl's request is the first thing s_server reads.
sc_plaintext-client() {
    sw_net
    sw_cap_start plaintext-client "tcp port 443"
    srv leaf:ok "${CHAIN[@]}"
    local code
    code=$(timeout 8 ip netns exec "$NS_C" curl -s -m 5 -o /dev/null -w '%{http_code} exit %{exitcode}' \
        "http://$IP_S:443/hello.txt" || true)
    sw_log "plaintext-client: curl: $code; server: $(grep -a -m1 'error:' "$SW_TMP/server.out" | cut -c1-160 || true)"
    sw_cap_stop
}
# Handshake with a good chain, then EOF on s_client's stdin: close_notify, no request.
sc_warn-closed-without-request() {
    tls warn-closed-without-request leaf:ok "${CHAIN[@]}" -WWW -- "${ORIGIN[@]}" -tls1_2
}
sc_cert-not-server-auth-tls12() {
    tls cert-not-server-auth-tls12 leaf:clientauth "${CHAIN[@]}" -- "${ORIGIN[@]}" -tls1_2
}
sc_cert-unparseable-tls12() { pyserver cert-unparseable-tls12 badcert; }
# Capture-side loss, made after the fact: a full TLS 1.2 exchange whose server flight (leaf,
# intermediate and root: about 3.3 kB) leaves the origin as separate MSS-sized segments (GSO off
# on its veth, else tcpdump sees one 3 kB super-packet), then editcap deletes the middle one from
# the file. The endpoints got every byte (the handshake completes, the GET is answered); only
# the capture misses them, as when tcpdump or a SPAN port drops a packet.
sc_capture-lost-server-flight() {
    local n=capture-lost-server-flight cke flight mid
    sw_net
    nsx "$NS_S" ip link set veth-s gso_max_segs 1
    cat "$P/inter.pem" "$P/root.pem" >"$SW_TMP/chain-root.pem"
    printf 'hello from origin.test\n' >"$SW_TMP/hello.txt"
    sw_cap_start "$n" "tcp port 443"
    cd "$SW_TMP"
    srv leaf:ok -cert_chain "$SW_TMP/chain-root.pem" -WWW
    cd "$SW_ROOT"
    cli "$n" get "${ORIGIN[@]}" -tls1_2
    sw_cap_stop
    mv "$SW_CAP_FILE" "$SW_TMP/full.pcap"
    cke=$(tshark -r "$SW_TMP/full.pcap" -Y "ip.src==$IP_C && tls.handshake.type==16" \
        -T fields -e frame.number 2>/dev/null | head -1)
    mapfile -t flight < <(tshark -r "$SW_TMP/full.pcap" 2>/dev/null \
        -Y "ip.src==$IP_S && tcp.len>0 && frame.number<${cke:-0}" -T fields -e frame.number)
    [ ${#flight[@]} -ge 3 ] || sw_die "$n: server flight in ${#flight[@]} segment(s), need 3+"
    mid=${flight[$((${#flight[@]} / 2))]}
    editcap "$SW_TMP/full.pcap" "$SW_CAP_FILE" "$mid"
    sw_log "$n: flight in frames ${flight[*]}; deleted frame $mid"
}
# s_client sends a key share for its first group only (X25519); the server wants P-256.
sc_hrr-ok-tls13() {
    tls hrr-ok-tls13 keylog leaf:ok "${CHAIN[@]}" -WWW -groups P-256 -- get "${ORIGIN[@]}" \
        -tls1_3 -groups X25519:P-256
}
sc_ok-ipv6-tls13() {
    local TLS_NET=ipv6 SRV_AT="[$IP6_S]:443"
    tls ok-ipv6-tls13 keylog leaf:ok "${CHAIN[@]}" -WWW -- get "${ORIGIN[@]}" -tls1_3
}

# --- 8. a client that enforces the chain order (CloudFront) -----------------------------------
# strict NAME SERVER-ARGS...: peers.py strict-order (TLS 1.2, trusts root.pem, SNI and host name
# origin.test) against s_server -WWW with leaf ok. It judges the order of the Certificate itself
# and, on a misordered chain, closes (FIN) without an alert, as CloudFront documents for its
# origins; OpenSSL clients rebuild the path and accept (warn-chain-misordered-ok).
strict() {
    local name=$1; shift
    sw_net
    printf 'hello from origin.test\n' >"$SW_TMP/hello.txt"
    sw_cap_start "$name" "tcp port 443"
    cd "$SW_TMP"
    srv leaf:ok "$@" -WWW
    cd "$SW_ROOT"
    timeout 8 ip netns exec "$NS_C" python3 "$PEERS" strict-order "$IP_S" 443 "$P/root.pem" \
        origin.test 2>&1 | sed 's/^/samples: /' >&2 || true
    sw_cap_stop
}
sc_cert-chain-misordered-strict-tls12() {
    strict cert-chain-misordered-strict-tls12 -cert_chain "$P/chain-misordered.pem"
}
sc_ok-strict-client-tls12() { strict ok-strict-client-tls12 "${CHAIN[@]}"; }

# --- 9. certificate defects on connections that worked: the client did not verify -----------
# s_client without -verify_return_error (and without -verify_hostname) reports the verify result
# but completes the handshake anyway, like a health checker or a client with verification off.
# Each of these is a full TLS 1.2 handshake, GET, answer, close_notify: tlswhy should warn about
# the defect (the next outage) although nothing failed.
# unverified NAME SNI SERVER-ARGS... [-- EXTRA-CLIENT-ARGS...]
unverified() {
    local name=$1 sni=$2 s=() ; shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do s+=("$1"); shift; done
    [ $# -eq 0 ] || shift
    tls "$name" "${s[@]}" -WWW -- get -servername "$sni" -tls1_2 "$@"
}
sc_warn-name-mismatch-unverified() {
    unverified warn-name-mismatch-unverified mydomain.test leaf:wildcard "${CHAIN[@]}"
}
sc_warn-expired-unverified() { unverified warn-expired-unverified origin.test leaf:expired "${CHAIN[@]}"; }
sc_warn-not-yet-valid-unverified() {
    unverified warn-not-yet-valid-unverified origin.test leaf:notyet "${CHAIN[@]}"
}
sc_warn-self-signed-unverified() { unverified warn-self-signed-unverified origin.test leaf:selfsigned; }
sc_warn-untrusted-unverified() {
    unverified warn-untrusted-unverified origin.test leaf:untrusted -cert_chain "$P/other-root.pem"
}
sc_warn-chain-incomplete-unverified() { unverified warn-chain-incomplete-unverified origin.test leaf:ok; }
# Security level 0 on both sides: the server needs it to load the 1024-bit key; on the client it
# makes a peer that does not judge key sizes at all (verify result 0). At Debian's level 2 the
# same client would report "EE certificate key too weak" (66) and still carry on.
sc_warn-weak-key-unverified() {
    unverified warn-weak-key-unverified origin.test leaf:weak "${CHAIN[@]}" \
        -cipher DEFAULT@SECLEVEL=0 -- -cipher DEFAULT@SECLEVEL=0
}
sc_warn-not-server-auth-unverified() {
    unverified warn-not-server-auth-unverified origin.test leaf:clientauth "${CHAIN[@]}"
}

ALL=(
    cert-name-mismatch-apex cert-name-mismatch-apex-tls13 ok-tls12 ok-tls13
    cert-expired-tls12 cert-not-yet-valid-tls12 cert-self-signed-tls12 cert-untrusted-tls12
    cert-chain-incomplete-tls12 cert-weak-key-tls12 cert-weak-sig-sha1-tls12
    cert-expired-tls13 cert-untrusted-tls13
    tcp-refused tcp-no-answer server-silent plaintext-server server-closed-early-fin
    server-closed-early-rst protocol-mismatch protocol-mismatch-tls10
    protocol-mismatch-tls10-seclevel cipher-mismatch
    sni-unrecognized client-cert-required-tls12 client-cert-required-tls13 alert-other
    warn-expires-soon warn-legacy-tls10 warn-chain-misordered-ok
    edge-nginx-cert-expired edge-haproxy-name-mismatch edge-nginx-keepalive-idle
    client-rejected-tls13 client-rejected-tls13-rst cert-expired-silent-close-tls12
    plaintext-client warn-closed-without-request cert-not-server-auth-tls12 cert-unparseable-tls12
    capture-lost-server-flight hrr-ok-tls13 ok-ipv6-tls13
    cert-chain-misordered-strict-tls12 ok-strict-client-tls12
    warn-name-mismatch-unverified warn-expired-unverified warn-not-yet-valid-unverified
    warn-self-signed-unverified warn-untrusted-unverified warn-chain-incomplete-unverified
    warn-weak-key-unverified warn-not-server-auth-unverified
)

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
