#!/usr/bin/env bash
# check.sh [NAME...]: proves each capture in samples/ still shows its signature, with tshark.
#
# One line per scenario: NAME, then display filters separated by " ; ". Each filter must match at
# least one frame; a filter written "!F" must match none. TLS 1.3 captures are read with their
# keylog, so their alerts and certificates are checked too. Needs only tshark, not root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

C='ip.src==192.0.2.10'
S='ip.src==192.0.2.20'
FATAL='tls.alert_message.level==2'
alert() { echo "$1 && tls.alert_message.desc==$2"; }
C6='ipv6.src==2001:db8::10'
S6='ipv6.src==2001:db8::20'
# The client sends nothing but its ClientHello (the silent-closing clients).
CQUIET="!$C && tcp.len>0 && !tls.handshake.type==1"
# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
# A handshake that worked: application data both ways and no fatal alert (the warn-*-unverified).
WORKED="$C && tls.record.content_type==23 ; $S && tls.record.content_type==23 ; !$FATAL"
TLS12='tls.handshake.type==2 && tls.handshake.version==0x0303'
# vdate LEAF -startdate|-enddate: that date of samples/pki/LEAF.pem as tshark shows an x509
# utcTime. Read from the PKI (committed with the captures) because pki.sh re-signs the
# date-relative leaves when they no longer mean what their name says.
vdate() {
    date -u -d "$(openssl x509 -in "$SW_PKI/$1.pem" -noout "$2" | cut -d= -f2)" '+%Y-%m-%d %H:%M:%S (UTC)'
}
HRR=cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c

TABLE=$(cat <<T
cert-name-mismatch-apex ; tls.handshake.extensions_server_name=="mydomain.test" ; x509ce.dNSName=="*.mydomain.test" ; $(alert "$C" 42)
cert-name-mismatch-apex-tls13 ; tls.handshake.extensions_server_name=="mydomain.test" ; x509ce.dNSName=="*.mydomain.test" ; $(alert "$C" 42)
ok-tls12 ; tls.handshake.type==11 ; $C && tls.record.content_type==23 ; $S && tls.record.content_type==23 ; !$FATAL
ok-tls13 ; http.request.method=="GET" ; $S && tls.segment.data contains "hello from origin.test" ; !$FATAL
cert-expired-tls12 ; tls.handshake.type==11 ; $(alert "$C" 45)
cert-expired-tls13 ; tls.handshake.type==11 ; $(alert "$C" 45)
cert-not-yet-valid-tls12 ; tls.handshake.type==11 ; $(alert "$C" 42)
cert-self-signed-tls12 ; tls.handshake.type==11 ; $(alert "$C" 48)
cert-untrusted-tls12 ; x509sat.uTF8String=="tlswhy Other Root" ; $(alert "$C" 48)
cert-untrusted-tls13 ; x509sat.uTF8String=="tlswhy Other Root" ; $(alert "$C" 48)
cert-chain-incomplete-tls12 ; tls.handshake.type==11 && count(tls.handshake.certificate)==1 ; $(alert "$C" 48)
cert-weak-key-tls12 ; tls.handshake.type==11 ; $(alert "$C" 42)
cert-weak-sig-sha1-tls12 ; x509af.algorithm.id==1.2.840.113549.1.1.5 ; $(alert "$C" 42)
tcp-refused ; $S && tcp.flags.reset==1 ; !tls
tcp-no-answer ; tcp.flags.syn==1 && tcp.analysis.retransmission ; !$S
server-silent ; tls.handshake.type==1 ; $C && tcp.flags.fin==1 ; !$S && tcp.len>0
plaintext-server ; tls.handshake.type==1 ; $S && http.response.code==400
server-closed-early-fin ; tls.handshake.type==1 ; $S && tcp.flags.fin==1 ; !$S && tcp.len>0
server-closed-early-rst ; tls.handshake.type==1 ; $S && tcp.flags.reset==1 ; !$S && tcp.len>0
protocol-mismatch ; tls.handshake.type==1 ; $(alert "$S" 70) ; !tls.handshake.type==2
protocol-mismatch-tls10 ; tls.handshake.type==1 && tls.handshake.version==0x0301 ; $(alert "$S" 70)
protocol-mismatch-tls10-seclevel ; tls.handshake.type==1 && tls.handshake.version==0x0301 ; $(alert "$S" 80)
cipher-mismatch ; tls.handshake.type==1 ; $(alert "$S" 40) ; !tls.handshake.type==2
sni-unrecognized ; tls.handshake.extensions_server_name=="other.test" ; $(alert "$S" 112)
client-cert-required-tls12 ; tls.handshake.type==13 ; $(alert "$S" 40)
client-cert-required-tls13 ; tls.handshake.type==13 ; $(alert "$S" 116)
alert-other ; tls.handshake.type==1 ; $(alert "$S" 50)
warn-expires-soon ; tls.handshake.type==11 ; $S && tls.record.content_type==23 ; !$FATAL
warn-legacy-tls10 ; tls.handshake.type==2 && tls.handshake.version==0x0301 ; $S && tls.record.content_type==23 ; !$FATAL
warn-chain-misordered-ok ; tls.handshake.type==11 ; $S && tls.record.content_type==23 ; !$FATAL
edge-nginx-cert-expired ; tls.handshake.extensions_server_name=="origin.test" ; tls.handshake.type==11 ; $C && tls.handshake.type==16 ; !tls.record.content_type==23 ; $C && tcp.flags.reset==1
edge-haproxy-name-mismatch ; tls.handshake.extensions_server_name=="mydomain.test" ; x509ce.dNSName=="*.mydomain.test" ; $(alert "$C" 80)
edge-nginx-keepalive-idle ; tcp.stream==0 && $S && tls.record.content_type==23 ; tcp.stream==0 && $S && tls.record.content_type==21 ; tcp.stream==0 && $C && tcp.flags.reset==1 ; tcp.stream==1 && $S && tls.record.content_type==23
client-rejected-tls13 ; tls.handshake.type==11 ; $C && tcp.flags.fin==1 ; $CQUIET ; !tls.alert_message
client-rejected-tls13-rst ; tls.handshake.type==11 ; $C && tcp.flags.reset==1 ; !$C && tcp.flags.fin==1 ; $CQUIET ; !tls.alert_message
cert-expired-silent-close-tls12 ; tls.handshake.type==11 ; $C && tcp.flags.fin==1 ; $CQUIET
plaintext-client ; $C && http.request.method=="GET" ; $S && tcp.flags.fin==1 ; !$S && tcp.len>0 ; !tls
warn-closed-without-request ; tls.handshake.type==11 ; $C && tls.handshake.type==16 ; $C && tls.record.content_type==21 ; !$C && tls.record.content_type==23 ; !$S && tls.record.content_type==23
cert-not-server-auth-tls12 ; x509ce.KeyPurposeId==1.3.6.1.5.5.7.3.2 ; !x509ce.KeyPurposeId==1.3.6.1.5.5.7.3.1 ; $(alert "$C" 43)
cert-unparseable-tls12 ; tls.handshake.type==2 && tls.handshake.ciphersuite==0xc02f ; tls.handshake.type==11 && tls.handshake.certificate_length==40 ; _ws.malformed ; $(alert "$C" 42)
capture-lost-server-flight ; $S && tcp.analysis.lost_segment ; $C && tcp.analysis.ack_lost_segment ; $C && tls.handshake.type==16 ; $S && tls.record.content_type==23 ; !tcp.analysis.retransmission ; !$FATAL
hrr-ok-tls13 ; tls.handshake.type==2 && tls.handshake.random==$HRR ; tls.handshake.type==1 && tls.handshake.extensions_key_share_group==29 ; tls.handshake.type==1 && tls.handshake.extensions_key_share_group==23 ; $S && tls.segment.data contains "hello from origin.test" ; !$FATAL
cert-chain-misordered-strict-tls12 ; tls.handshake.type==11 && count(tls.handshake.certificate)==3 ; $C && tcp.flags.fin==1 && tcp.ack>1 ; $CQUIET ; !$C && tls.alert_message
ok-strict-client-tls12 ; tls.handshake.type==11 && count(tls.handshake.certificate)==2 ; $C && tls.handshake.type==16 ; $C && tls.record.content_type==23 ; $S && tls.record.content_type==23 ; !$FATAL
ok-ipv6-tls13 ; $C6 && tls.handshake.type==1 ; $C6 && http.request.method=="GET" ; $S6 && tls.segment.data contains "hello from origin.test" ; !ip ; !$FATAL
warn-name-mismatch-unverified ; $TLS12 ; tls.handshake.extensions_server_name=="mydomain.test" ; x509ce.dNSName=="*.mydomain.test" ; !x509ce.dNSName=="mydomain.test" ; $WORKED
warn-expired-unverified ; $TLS12 ; x509af.serialNumber==10:07 && x509af.utcTime=="$(vdate expired -enddate)" ; $WORKED
warn-not-yet-valid-unverified ; $TLS12 ; x509af.serialNumber==10:08 && x509af.utcTime=="$(vdate notyet -startdate)" ; $WORKED
warn-self-signed-unverified ; $TLS12 ; count(tls.handshake.certificate)==1 && count(x509sat.uTF8String)==4 && x509sat.uTF8String=="origin.test" ; !x509sat.uTF8String matches "Root|Intermediate" ; !x509af.extension.id==2.5.29.35 ; $WORKED
warn-untrusted-unverified ; $TLS12 ; x509sat.uTF8String=="tlswhy Other Root" ; !x509sat.uTF8String=="tlswhy Test Intermediate" ; $WORKED
warn-chain-incomplete-unverified ; $TLS12 ; count(tls.handshake.certificate)==1 && x509sat.uTF8String=="tlswhy Test Intermediate" ; $WORKED
warn-weak-key-unverified ; $TLS12 ; len(pkcs1.modulus)==129 ; $WORKED
hostile-names ; tcp.stream==0 && $(alert "$S" 112) ; tcp.stream==1 && tls.handshake.type==11 ; tcp.stream==2 && $C && tcp.len>0 && !tls ; tcp.stream==3 && $S && tcp.len>0 && !tls
warn-not-server-auth-unverified ; $TLS12 ; x509ce.KeyPurposeId==1.3.6.1.5.5.7.3.2 ; !x509ce.KeyPurposeId==1.3.6.1.5.5.7.3.1 ; $WORKED
edge-origin-tls13-only ; $S && tls.handshake.type==2 && tls.handshake.extensions.supported_version==0x0304 ; $C && tls.record.content_type==23 ; $S && tls.handshake.type==11
edge-origin-cipher-unsupported ; tcp.stream==0 && $S && tls.handshake.ciphersuite==0xcca8 ; tcp.stream==0 && $S && tls.record.content_type==23 ; tcp.stream==1 && $S && tls.alert_message.desc==40 ; !tcp.stream==1 && tls.handshake.type==2
edge-origin-pss-only ; tcp.stream==0 && $S && tls.handshake.sig_hash_alg==0x0804 ; tcp.stream==1 && $S && tls.alert_message.desc==40 ; !tcp.stream==1 && tls.handshake.type==2
edge-keepalive-race ; $S && tls.record.content_type==21 && frame.time_relative > 0.9 ; $S && tcp.flags.fin==1 ; $C && tls.record.content_type==23 && frame.time_relative > 1.9 ; $S && tcp.flags.reset==1 && frame.time_relative > 1.9
edge-origin-slow ; $S && tls.handshake.type==2 && frame.time_relative > 0.6 ; $S && tls.record.content_type==23 && frame.time_relative > 2
ok-tls12-keylog ; $TLS12 && tls.handshake.ciphersuite==0xc030 ; http.request.method=="GET" ; $(alert "$C" 0) ; !$FATAL
ok-tls12-chacha-keylog ; $TLS12 && tls.handshake.ciphersuite==0xcca8 ; http.request.method=="GET" ; !$FATAL
renegotiation-refused-tls12 ; $TLS12 ; $C && tls.handshake.type==1 && tcp.seq>1 ; $(alert "$S" 100) ; $(alert "$C" 40)
ok-tls13-aes128-keylog ; tls.handshake.type==2 && tls.handshake.ciphersuite==0x1301 ; http.request.method=="GET" ; !$FATAL
ok-tls13-chacha-keylog ; tls.handshake.type==2 && tls.handshake.ciphersuite==0x1303 ; http.request.method=="GET" ; !$FATAL
cert-name-mismatch-apex-tls13-dsb ; x509ce.dNSName=="*.mydomain.test" ; $(alert "$C" 42)
T
)

want=("$@")
fails=0
while IFS= read -r line; do
    name=${line%% ;*}
    if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$name"; then continue; fi
    f=$SW_SAMPLES/$name.pcap
    if [ ! -s "$f" ]; then echo "FAIL $name: no capture"; fails=$((fails + 1)); continue; fi
    o=()
    [ -s "$SW_SAMPLES/$name.keylog" ] && o=(-o "tls.keylog_file:$SW_SAMPLES/$name.keylog")
    ok=1
    IFS=';' read -r -a filters <<<"${line#* ;}"
    for flt in "${filters[@]}"; do
        flt=$(echo "$flt" | sed 's/^ *//; s/ *$//')
        neg=0
        if [ "${flt:0:1}" = '!' ]; then neg=1; flt=${flt:1}; fi
        n=$(tshark -r "$f" "${o[@]}" -Y "$flt" 2>/dev/null </dev/null | wc -l) || n=bad
        [ "$n" != bad ] || { echo "FAIL $name: tshark rejects: $flt"; ok=0; continue; }
        if { [ $neg = 0 ] && [ "$n" -eq 0 ]; } || { [ $neg = 1 ] && [ "$n" -ne 0 ]; }; then
            echo "FAIL $name: $([ $neg = 1 ] && echo 'unexpected' || echo 'missing'): $flt"
            ok=0
        fi
    done
    if [ $ok = 1 ]; then echo "ok   $name"; else fails=$((fails + 1)); fi
done <<<"$TABLE"
[ "$fails" -eq 0 ] || { echo "$fails scenario(s) failed" >&2; exit 1; }
