#!/usr/bin/env bash
# make-tcp-captures.sh: regenerates tests/data/tcp/*.pcap, the real captures the flow and
# reassembly tests read. Two network namespaces (client, server) are joined through a third that
# runs scripts/lossy_relay.py, a userspace bridge that drops and holds back chosen segments, so
# the endpoints' own kernels retransmit and the server side sees holes and reordering (no netem
# needed). tcpdump records both ends. Needs root, python3, tcpdump, editcap (tshark), openssl.
#
# Streams (known content, so tests can check every byte): the client sends CLIENT_BYTES of
# 16-byte lines "C%014d\n" (the line's own offset), then shuts down its side; the server reads
# all of it, sends SERVER_BYTES of lines "S%014d\n", and closes.
#   plain-v4-lossy-server.pcap   IPv4, captured behind the relay: holes, retransmissions, reordering
#   plain-v4-lossy-client.pcap   the same connection from the client: duplicate segments
#   plain-v4-capture-lost.pcap   the server-side capture minus one client and one server data
#                                frame that the endpoints did receive: gaps that never fill
#   plain-v6-lossy-server.pcap   the same exchange over IPv6
#   tls13-lossy-server.pcap      TLS 1.3 (python ssl, throwaway self-signed cert): a 40000-byte
#                                answer, with drops in the server's flight
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/data/tcp
mkdir -p "$out"
[ "$(id -u)" -eq 0 ] || { echo "run as root (network namespaces)" >&2; exit 2; }

CLIENT_BYTES=60000
SERVER_BYTES=120000
tag=tw$$
nsc=$tag-c nss=$tag-s nsm=$tag-m
work=$(mktemp -d)
pids=()

cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for ns in $nsc $nss $nsm; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add $nsc
ip netns add $nss
ip netns add $nsm
ip link add c0 netns $nsc type veth peer name m0 netns $nsm
ip link add s0 netns $nss type veth peer name m1 netns $nsm
for pair in "$nsc c0 10.99.0.1 fd00:99::1" "$nss s0 10.99.0.2 fd00:99::2"; do
    set -- $pair
    ip -n "$1" link set lo up
    # One segment per frame: the relay forwards frames, and a TSO super-frame does not fit.
    ip -n "$1" link set "$2" gso_max_size 1500 gso_max_segs 1
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" addr add "$4/64" dev "$2" nodad
    ip -n "$1" link set "$2" up
done
for m in m0 m1; do ip -n $nsm link set $m up; done
ip netns exec $nsm sysctl -qw net.ipv6.conf.all.disable_ipv6=1

cat >"$work/peer.py" <<'EOF'
import socket, ssl, sys
def lines(ch, n):
    return b"".join(b"%c%014d\n" % (ch, o) for o in range(0, n, 16))[:n]
role, host, port, cb, sb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
tls = len(sys.argv) > 6
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
if role == "server":
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, port)); ls.listen(1)
    print("ready", flush=True)
    s, _ = ls.accept()
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[6], sys.argv[7])
        s = ctx.wrap_socket(s, server_side=True)
        got = s.recv(4096)
        s.sendall(lines(ord("S"), sb))
        s.close(); sys.exit(0)
    got = 0
    while True:
        b = s.recv(65536)
        if not b: break
        got += len(b)
    assert got == cb, got
    s.sendall(lines(ord("S"), sb)); s.close()
else:
    s = socket.create_connection((host, port), timeout=20)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname="origin.example.com")
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    else:
        s.sendall(lines(ord("C"), cb)); s.shutdown(socket.SHUT_WR)
    got = 0
    while True:
        try: b = s.recv(65536)
        except ssl.SSLError: break
        if not b: break
        got += len(b)
    assert got == sb, got
    s.close()
EOF

# run NAME HOST PORT RELAY-RULES... [tls]: one connection through the relay, captured on both ends.
run() {
    local name=$1 host=$2 port=$3 rules=$4 extra=${5:-}
    ip netns exec $nsm python3 scripts/lossy_relay.py m0 m1 $rules --seconds 40 2>"$work/$name.relay" &
    local relay=$!
    pids+=($relay)
    ip netns exec $nss tcpdump -i s0 -s 0 -U -w "$work/$name-server.pcap" tcp port "$port" 2>/dev/null &
    local tds=$!
    ip netns exec $nsc tcpdump -i c0 -s 0 -U -w "$work/$name-client.pcap" tcp port "$port" 2>/dev/null &
    local tdc=$!
    pids+=($tds $tdc)
    sleep 1
    ip netns exec $nss python3 "$work/peer.py" server "$host" "$port" $CLIENT_BYTES $SERVER_BYTES $extra >"$work/$name.srv" &
    local srv=$!
    pids+=($srv)
    for _ in $(seq 50); do grep -q ready "$work/$name.srv" 2>/dev/null && break; sleep 0.1; done
    ip netns exec $nsc timeout 30 python3 "$work/peer.py" client "$host" "$port" $CLIENT_BYTES $SERVER_BYTES $extra
    wait $srv
    sleep 1
    kill $tds $tdc $relay
    wait $tds $tdc $relay 2>/dev/null || true
    echo "$name: $(tr '\n' ' ' <"$work/$name.relay")" >&2
}

run plain-v4 10.99.0.2 9000 "--drop a:3,7,30 --hold a:5,20 --drop b:4,9,60 --hold b:6,50"
cp "$work/plain-v4-server.pcap" "$out/plain-v4-lossy-server.pcap"
cp "$work/plain-v4-client.pcap" "$out/plain-v4-lossy-client.pcap"

run plain-v6 fd00:99::2 9001 "--drop a:2,11 --hold a:8 --drop b:5,40 --hold b:12"
cp "$work/plain-v6-server.pcap" "$out/plain-v6-lossy-server.pcap"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=origin.example.com" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
SERVER_BYTES=40000 run tls13 10.99.0.2 9443 "--drop b:2,7 --hold b:4 --drop a:1" \
    "$work/cert.pem $work/key.pem"
cp "$work/tls13-server.pcap" "$out/tls13-lossy-server.pcap"

# Capture loss: remove the 25th client and the 40th server data frame from the server-side
# capture. The endpoints got them (the ACKs say so); the capture did not.
lost=$(tshark -r "$out/plain-v4-lossy-server.pcap" -Y 'tcp.len > 0' -T fields -e frame.number \
       -e ip.src | awk '$2=="10.99.0.1"{c++; if(c==25) a=$1} $2=="10.99.0.2"{s++; if(s==40) b=$1} END{print a, b}')
editcap "$out/plain-v4-lossy-server.pcap" "$out/plain-v4-capture-lost.pcap" $lost
echo "capture-lost: removed frames $lost" >&2
ls -l "$out"
