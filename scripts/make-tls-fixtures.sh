#!/usr/bin/env bash
# make-tls-fixtures.sh: captures real openssl s_server/s_client handshakes on loopback, one
# scenario each, and cuts them into the fixtures the TLS dissector tests read:
#   tests/data/tls/<scenario>.pcap   the capture (kept for reference and for tshark)
#   tests/data/tls/<scenario>.seg    one line per event, in capture order:
#        <frame> c|s <hex payload>   TCP payload of a segment from the client or the server
#        <frame> c|s FIN|RST         a FIN or RST from that side
# Keys and certificates are made afresh in a temp dir, so random fields differ between runs;
# the tests assert only on fields the scenario fixes (versions, suites, SNI, alerts, counts).
# It also writes the fuzz seeds fuzz/corpus/tls_record/ and fuzz/corpus/tls_dissectors/ from
# the fixtures (`--seeds-only` rewrites just those, without capturing).
# Needs: openssl, tcpdump, tshark, python3 (scripts/deps.sh test). Run as root (capture on lo).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/data/tls
mkdir -p "$out"

# Seeds in the input formats of fuzz/fuzz_tls_record.c and fuzz/fuzz_tls_dissectors.c.
make_seeds() {
    python3 - "$out" <<'PY'
import glob, os, re, sys
src = sys.argv[1]
rec_dir, dis_dir = "fuzz/corpus/tls_record", "fuzz/corpus/tls_dissectors"
for d in (rec_dir, dis_dir):
    os.makedirs(d, exist_ok=True)
    for f in glob.glob(d + "/*"):
        os.remove(f)
# registry order: the fuzzer picks dissector number input[0] % count
order = [m.group(1) for m in re.finditer(r"^TW_DISSECTOR\(\s*\w+,\s*\w+,\s*(-?\d+)",
                                         open("dissectors/dissectors.def").read(), re.M)]
hs_index = {}
for i, h in enumerate(order):  # the first entry wins: the SSLv2 hello (content type 0) is last
    if h != "-1":
        hs_index.setdefault(int(h), i)
for seg in sorted(glob.glob(src + "/*.seg")):
    name = os.path.basename(seg)[:-4]
    script = bytearray([0])
    streams = {"c": bytearray(), "s": bytearray()}
    for line in open(seg):
        frame, side, what = line.split()
        if what in ("FIN", "RST"):
            continue
        data = bytes.fromhex(what)
        streams[side] += data
        for i in range(0, len(data), 128):
            chunk = data[i:i + 128]
            script.append(((len(chunk) - 1) << 1) | (side == "s"))
            script += chunk
    open(f"{rec_dir}/{name}", "wb").write(script)
    for side, data in streams.items():
        hs, i = bytearray(), 0
        while i + 5 <= len(data):
            ct, ln = data[i], int.from_bytes(data[i + 3:i + 5], "big")
            if ct == 20:
                break
            if ct == 22:
                hs += data[i + 5:i + 5 + ln]
            i += 5 + ln
        j = 0
        while j + 4 <= len(hs):
            t, ln = hs[j], int.from_bytes(hs[j + 1:j + 4], "big")
            body = hs[j + 4:j + 4 + ln]
            j += 4 + ln
            if t not in hs_index:
                continue
            state = 2 if "dhe" in name else (4 if "tls13" in name and t == 11 else 1)
            if side == "c" and state == 1:
                state = 0
            out = f"{dis_dir}/{name}-{side}-{t}"
            if not os.path.exists(out):
                open(out, "wb").write(bytes([hs_index[t], state]) + body)
PY
}
if [ "${1:-}" = "--seeds-only" ]; then
    make_seeds
    exit 0
fi
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# A CA and a server certificate for www.example.com and *.example.com (not example.com).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.pem" -days 30 \
    -subj "/CN=tlswhy fixture CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/srv.key" -out "$work/srv.csr" \
    -subj "/CN=www.example.com" 2>/dev/null
printf 'subjectAltName=DNS:www.example.com,DNS:*.example.com\n' >"$work/ext.cnf"
openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
    -days 30 -extfile "$work/ext.cnf" -out "$work/srv.pem" 2>/dev/null
cat "$work/srv.pem" "$work/ca.pem" >"$work/chain.pem"

# An OCSP response for the server certificate, for stapling (-status_file).
serial=$(openssl x509 -in "$work/srv.pem" -noout -serial | cut -d= -f2)
enddate=$(date -u -d "+30 days" +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t/CN=www.example.com\n' "$enddate" "$serial" >"$work/index.txt"
openssl ocsp -issuer "$work/ca.pem" -cert "$work/srv.pem" -reqout "$work/req.der" -no_nonce 2>/dev/null
openssl ocsp -index "$work/index.txt" -rsigner "$work/ca.pem" -rkey "$work/ca.key" \
    -CA "$work/ca.pem" -reqin "$work/req.der" -respout "$work/ocsp.der" -ndays 1 2>/dev/null

port=24430
# capture <name> <server command...> -- <client command...>: runs one connection on loopback.
capture() {
    local name=$1; shift
    local srv=() cli=()
    while [ "$1" != "--" ]; do srv+=("$1"); shift; done
    shift
    cli=("$@")
    port=$((port + 1))
    local pcap="$work/$name.pcap"
    tcpdump -i lo -U -s 0 -w "$pcap" "tcp port $port" 2>/dev/null &
    local tpid=$!
    pids+=("$tpid")
    sleep 0.5
    "${srv[@]//PORT/$port}" >"$work/$name.srv.log" 2>&1 &
    local spid=$!
    pids+=("$spid")
    sleep 0.5
    (printf 'hello\n'; sleep 0.7) | timeout 10 "${cli[@]//PORT/$port}" >"$work/$name.cli.log" 2>&1 || true
    sleep 0.5
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    sleep 0.3
    kill "$tpid" 2>/dev/null || true
    wait "$tpid" 2>/dev/null || true
    cp "$pcap" "$out/$name.pcap"
    tshark -r "$pcap" -T fields -E separator=' ' -e frame.number -e tcp.srcport \
        -e tcp.flags.fin -e tcp.flags.reset -e tcp.payload 2>/dev/null |
        awk -v port="$port" '{
            side = ($2 == port) ? "s" : "c";
            if ($5 != "") print $1, side, $5;
            if ($3 == "1" || $3 == "True") print $1, side, "FIN";
            if ($4 == "1" || $4 == "True") print $1, side, "RST";
        }' >"$out/$name.seg"
    echo "$name: $(wc -l <"$out/$name.seg") events" >&2
}

S=(openssl s_server -accept 127.0.0.1:PORT -cert "$work/srv.pem" -key "$work/srv.key"
   -cert_chain "$work/ca.pem" -naccept 1 -rev)
C=(openssl s_client -connect 127.0.0.1:PORT -servername www.example.com -no_ign_eof)

capture tls12-ok "${S[@]}" -tls1_2 -alpn h2 -- "${C[@]}" -tls1_2 -alpn h2,http/1.1
capture tls13-ok "${S[@]}" -tls1_3 -- "${C[@]}" -tls1_3
capture tls13-hrr "${S[@]}" -tls1_3 -groups P-256 -- "${C[@]}" -tls1_3 -groups X25519:P-256
capture tls12-dhe "${S[@]}" -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 -- \
    "${C[@]}" -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256
capture tls12-ocsp "${S[@]}" -tls1_2 -status_file "$work/ocsp.der" -- "${C[@]}" -tls1_2 -status
capture tls12-client-cert-missing "${S[@]}" -tls1_2 -Verify 1 -- "${C[@]}" -tls1_2
capture tls13-client-cert-missing "${S[@]}" -tls1_3 -Verify 1 -- "${C[@]}" -tls1_3
capture tls12-bad-name "${S[@]}" -tls1_2 -- "${C[@]}" -tls1_2 -CAfile "$work/ca.pem" \
    -verify_return_error -verify_hostname example.com
capture tls13-bad-name "${S[@]}" -tls1_3 -- "${C[@]}" -tls1_3 -CAfile "$work/ca.pem" \
    -verify_return_error -verify_hostname example.com
capture tls-version-mismatch "${S[@]}" -tls1_3 -- "${C[@]}" -tls1_2
capture tls12-no-shared-cipher "${S[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -- \
    "${C[@]}" -tls1_2 -cipher AES256-SHA

# The origin answers HTTPS with plain HTTP: a tiny server that answers any bytes with a 400.
cat >"$work/http400.py" <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
c, _ = s.accept(); c.recv(65536)
c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
c.close()
PY
capture tls-to-http python3 "$work/http400.py" PORT -- "${C[@]}"
make_seeds
echo "fixtures written to $out, fuzz seeds to fuzz/corpus/tls_*" >&2
