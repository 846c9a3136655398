#!/usr/bin/env bash
# scenarios-hostile.sh: captures samples/hostile-names.pcap, real connections whose strings from
# the wire attack whoever reads tlswhy's output (hostile.py has the strings). In the namespaces
# of lib.sh, with tcpdump on the client's veth (`tcp port 443`):
#   1. a raw client sends a ClientHello whose server name holds a NUL (and ESC): OpenSSL's
#      s_server refuses it (alert 112)
#   2. the same with a server name of escapes, CR/LF, quotes, <script>, C1 and ill-formed UTF-8:
#      s_server answers with its certificate, issued by a throwaway CA made here, whose subject,
#      issuer and SANs are hostile too; the raw client reads the flight and closes
#   3. a client sends a hostile HTTP request to the TLS port (s_server closes)
#   4. a Python server on the TLS port answers a ClientHello with a hostile HTTP response
# The HTML and Markdown report tests can reuse this capture (samples/hostile-names.pcap).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
trap sw_cleanup EXIT
trap 'exit 130' INT TERM
HOSTILE=$SW_DIR/hostile.py

sw_net
python3 "$HOSTILE" pki "$SW_TMP"
sw_cap_start hostile-names "tcp port 443"
sw_bg "$NS_S" timeout 20 openssl s_server -accept "$IP_S:443" -naccept 3 -quiet \
    -cert "$SW_TMP/leaf.pem" -key "$SW_TMP/leaf.key" -cert_chain "$SW_TMP/ca.pem" \
    >"$SW_TMP/server.out" 2>&1 </dev/null
s_server=${SW_PIDS[-1]}
sw_wait_listen "$NS_S" 443
nsx "$NS_C" timeout 10 python3 "$HOSTILE" hello "$IP_S" 443 SNI_NUL
nsx "$NS_C" timeout 10 python3 "$HOSTILE" hello "$IP_S" 443 SNI_NO_NUL
nsx "$NS_C" timeout 10 python3 "$HOSTILE" http "$IP_S" 443
wait "$s_server" 2>/dev/null || true
sw_bg "$NS_S" timeout 20 python3 "$HOSTILE" httpserver "$IP_S" 443
sw_wait_listen "$NS_S" 443
nsx "$NS_C" timeout 10 python3 "$HOSTILE" hello "$IP_S" 443 SNI_NO_NUL
sw_cap_stop
