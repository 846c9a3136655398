#!/usr/bin/env bash
# make-decode-data.sh: regenerates tests/data/decode/, the captures the decode and capture tests
# read. Needs root (tcpdump on lo and "any"), python3, tshark and editcap.
#
# 1. Real traffic: one small TCP exchange over IPv4 and one over IPv6 on loopback (ports 47301
#    and 47306, a client sends 200 bytes, the server answers 1200), captured at the same time by
#    five tcpdumps: lo (Ethernet), lo with snaplen 96, lo with nanosecond timestamps, and "any"
#    as LINUX_SLL and LINUX_SLL2.
# 2. Wrapped copies (scripts/decode_wrap.py): the lo frames re-encapsulated in VLAN/QinQ, PPPoE,
#    MPLS, VXLAN, GENEVE, GTP-U, BSD null/loop, raw IP link types, with IPv4 options, IPv6
#    extension headers, fragments, bad checksums and Ethernet padding.
# 3. pcapng copies (editcap) and the expected TCP counts (tshark) of these files and of the peer
#    captures in ../shared/peer-pcaps, in tests/data/decode/tcp-counts.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/data/decode
peers=${PEER_PCAPS:-$(cd .. && pwd)/shared/peer-pcaps}
mkdir -p "$out"
tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ "${1:-}" != "--no-capture" ]; then
    filter='tcp port 47301 or tcp port 47306'
    start_dump() { # start_dump NAME TCPDUMP-ARGS...
        local name=$1; shift
        timeout 30 tcpdump -n -U -w "$tmp/$name.pcap" "$@" "$filter" 2>"$tmp/$name.log" &
        pids+=("$!")
    }
    start_dump lo -i lo -s 0
    start_dump lo-snap96 -i lo -s 96
    start_dump lo-nano -i lo -s 0 --time-stamp-precision=nano
    start_dump any-sll -i any -y LINUX_SLL -s 0
    start_dump any-sll2 -i any -y LINUX_SLL2 -s 0
    for name in lo lo-snap96 lo-nano any-sll any-sll2; do
        for _ in $(seq 50); do grep -q listening "$tmp/$name.log" 2>/dev/null && break; sleep 0.1; done
    done
    timeout 20 python3 - <<'EOF'
import socket, threading
def serve(family, addr, port, ready):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(1); ready.set()
    c, _ = s.accept()
    got = b""
    while len(got) < 200:
        got += c.recv(4096)
    c.sendall(bytes((i * 7) & 0xff for i in range(1200)))
    c.close(); s.close()
for family, addr, port in ((socket.AF_INET, "127.0.0.1", 47301), (socket.AF_INET6, "::1", 47306)):
    ready = threading.Event()
    t = threading.Thread(target=serve, args=(family, addr, port, ready)); t.start(); ready.wait()
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, port))
    c.sendall(b"tlswhy decode test\n" + b"x" * 181)
    got = b""
    while True:
        d = c.recv(4096)
        if not d: break
        got += d
    assert len(got) == 1200
    c.close(); t.join()
EOF
    sleep 1
    for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
    for name in lo lo-snap96 lo-nano any-sll any-sll2; do cp "$tmp/$name.pcap" "$out/$name.pcap"; done
fi

python3 - "$out/lo.pcap" "$out" <<'EOF'
# The lo frames, re-encapsulated. Every transformation names the fields it writes.
import struct, sys

def read_pcap(path):
    b = open(path, "rb").read()
    assert struct.unpack("<I", b[:4])[0] == 0xa1b2c3d4, "expects a little-endian usec pcap"
    link = struct.unpack("<I", b[20:24])[0]
    frames, off = [], 24
    while off < len(b):
        sec, usec, cap, wire = struct.unpack("<IIII", b[off:off + 16])
        frames.append((sec, usec, b[off + 16:off + 16 + cap]))
        off += 16 + cap
    return link, frames

def write_pcap(path, link, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, link))
        for sec, usec, data in frames:
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff

def ip4(proto, src, dst, payload, options=b"", ident=0, frag=0x4000):
    """IPv4 header: version/ihl, tos, total_length, id, flags/offset, ttl, protocol, checksum."""
    ihl = 5 + len(options) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), ident, frag, 64,
                    proto, 0, src, dst) + options
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

def ip6(nh, src, dst, payload):
    """IPv6 header: version/class/flow, payload_length, next_header, hop_limit, src, dst."""
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, src, dst) + payload

def split(frame):
    """Ethernet frame -> (ethertype, IP packet)."""
    return struct.unpack("!H", frame[12:14])[0], frame[14:]

def fix_tcp(pkt):
    """Recomputes the TCP checksum that loopback offload left unfinished."""
    if pkt[0] >> 4 == 4:
        ihl = (pkt[0] & 15) * 4
        seg = bytearray(pkt[ihl:struct.unpack("!H", pkt[2:4])[0]])
        ph = pkt[12:20] + struct.pack("!BBH", 0, 6, len(seg))
        seg[16:18] = b"\0\0"
        seg[16:18] = struct.pack("!H", csum(ph + bytes(seg)))
        return pkt[:ihl] + bytes(seg)
    seg = bytearray(pkt[40:])
    ph = pkt[8:40] + struct.pack("!IxxxB", len(seg), 6)
    seg[16:18] = b"\0\0"
    seg[16:18] = struct.pack("!H", csum(ph + bytes(seg)))
    return pkt[:40] + bytes(seg)

def eth(etype, payload, dst=b"\x02\0\0\0\0\x02", src=b"\x02\0\0\0\0\x01"):
    """Ethernet II: destination, source, ethertype."""
    return dst + src + struct.pack("!H", etype) + payload

def udp4(sport, dport, payload, src=bytes([192, 0, 2, 1]), dst=bytes([192, 0, 2, 2])):
    """UDP over IPv4: source_port, destination_port, length, checksum (0: none)."""
    return ip4(17, src, dst, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)

def udp6(sport, dport, payload):
    """UDP over IPv6 with its mandatory checksum."""
    src, dst = bytes.fromhex("20010db8000000000000000000000001"), bytes.fromhex("20010db8000000000000000000000002")
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!IxxxB", len(u), 17) + u) or 0xffff
    return ip6(17, src, dst, u[:6] + struct.pack("!H", c) + u[8:])

def vxlan(inner):
    """VXLAN: flags (I), reserved[3], vni[3] = 42, reserved."""
    return eth(0x0800, udp4(50000, 4789, struct.pack("!B3s3sB", 0x08, b"\0\0\0", b"\0\0\x2a", 0) + inner))

src_path, out = sys.argv[1], sys.argv[2]
link, frames = read_pcap(src_path)
assert link == 1
base = [(s, u, split(f)) for s, u, f in frames]
fixed = [(s, u, (t, fix_tcp(p))) for s, u, (t, p) in base]

def emit(name, link, fn, src=fixed):
    out_frames = []
    for s, u, (t, p) in src:
        r = fn(t, p)
        if r is not None:
            out_frames.append((s, u, r))
    write_pcap("%s/%s" % (out, name), link, out_frames)

emit("eth-fixed.pcap", 1, lambda t, p: eth(t, p))
# 802.1Q tag: tpid 0x8100, tci (pcp 0, vid 100), then the original ethertype.
emit("vlan.pcap", 1, lambda t, p: eth(0x8100, struct.pack("!HH", 100, t) + p))
# 802.1ad outer tag (vid 10) around an 802.1Q tag (vid 20).
emit("qinq.pcap", 1, lambda t, p: eth(0x88a8, struct.pack("!HHHH", 10, 0x8100, 20, t) + p))
# Three tags: pre-standard 0x9100 (vid 1), 0x8100 (vid 2), 0x8100 (vid 3).
emit("vlan3-9100.pcap", 1, lambda t, p: eth(0x9100, struct.pack("!HHHHHH", 1, 0x8100, 2, 0x8100, 3, t) + p))
# PPPoE session: ver_type 0x11, code 0, session_id 0x1234, length, PPP protocol 0x0021/0x0057.
emit("pppoe.pcap", 1, lambda t, p: eth(0x8864, struct.pack("!BBHHH", 0x11, 0, 0x1234, len(p) + 2,
                                        0x0021 if t == 0x0800 else 0x0057) + p))
# MPLS: label 16 (s=0, ttl 64), label 17 (s=1, ttl 64).
emit("mpls.pcap", 1, lambda t, p: eth(0x8847, struct.pack("!II", 16 << 12 | 64, 17 << 12 | 0x100 | 64) + p))
# BSD null, family in little-endian host order: AF_INET 2, AF_INET6 30 (macOS).
emit("null-le.pcap", 0, lambda t, p: struct.pack("<I", 2 if t == 0x0800 else 30) + p)
# BSD null written by a big-endian host: AF_INET 2, AF_INET6 24 (OpenBSD).
emit("null-be.pcap", 0, lambda t, p: struct.pack(">I", 2 if t == 0x0800 else 24) + p)
# DLT_LOOP: family in network order, AF_INET6 28 (FreeBSD).
emit("loop.pcap", 108, lambda t, p: struct.pack(">I", 2 if t == 0x0800 else 28) + p)
emit("raw.pcap", 101, lambda t, p: p)
emit("raw-ipv4.pcap", 228, lambda t, p: p if t == 0x0800 else None)
emit("raw-ipv6.pcap", 229, lambda t, p: p if t == 0x86dd else None)
emit("vxlan.pcap", 1, lambda t, p: vxlan(eth(t, p)))
# Four VXLAN layers (the most tlswhy removes) and five (one too many: malformed).
emit("vxlan4.pcap", 1, lambda t, p: vxlan(vxlan(vxlan(vxlan(eth(t, p))))))
emit("vxlan5.pcap", 1, lambda t, p: vxlan(vxlan(vxlan(vxlan(vxlan(eth(t, p)))))))
# GENEVE over IPv6: ver 0 opt_len 2, flags 0, protocol 0x6558, vni 7, reserved; one option:
# class 0x0102, type 0x80, length 1 (4 bytes of data).
geneve_hdr = struct.pack("!BBH3sB", 2, 0, 0x6558, b"\0\0\x07", 0) + struct.pack("!HBB4s", 0x0102, 0x80, 1, b"abcd")
emit("geneve.pcap", 1, lambda t, p: eth(0x86dd, udp6(50001, 6081, geneve_hdr + eth(t, p))))
# GTP-U: flags 0x34 (version 1, PT, E), type 255, length, teid 0x01020304; sequence 0, n_pdu 0,
# next extension 0x85 (PDU session container): length 1, content 0x00 0x01, next 0; then IP.
def gtp(t, p):
    body = struct.pack("!HBB", 0, 0, 0x85) + struct.pack("!BBBB", 1, 0, 1, 0) + p
    return eth(0x0800, udp4(2152, 2152, struct.pack("!BBHI", 0x34, 255, len(body), 0x01020304) + body))
emit("gtp.pcap", 1, gtp)
# IP in IP: IPv4 protocol 4 around IPv4, protocol 41 around IPv6.
emit("ipip.pcap", 1, lambda t, p: eth(0x0800, ip4(4 if t == 0x0800 else 41, bytes([192, 0, 2, 1]),
                                                 bytes([192, 0, 2, 2]), p)))
# IPv4 options (ihl 8): NOP, NOP, Router Alert (type 148, length 4, value 0), 6 x EOL.
def ipopts(t, p):
    if t != 0x0800:
        return None
    opts = bytes([1, 1, 148, 4, 0, 0]) + bytes(6)
    return eth(0x0800, ip4(p[9], p[12:16], p[16:20], p[20:], options=opts, ident=struct.unpack("!H", p[4:6])[0]))
emit("ipv4-options.pcap", 1, ipopts)
# IPv6 extension chain: hop-by-hop (PadN 4) -> destination options (PadN 4) -> routing type 0
# (segments_left 0, one address) -> fragment (offset 0, M 0: atomic) -> AH (payload_len 4:
# SPI, sequence, 12-byte ICV) -> TCP.
def v6ext(t, p):
    if t != 0x86dd:
        return None
    hbh = struct.pack("!BB", 60, 0) + bytes([1, 4, 0, 0, 0, 0])
    dst = struct.pack("!BB", 43, 0) + bytes([1, 4, 0, 0, 0, 0])
    rt = struct.pack("!BBBB4x16s", 44, 2, 0, 0, p[24:40])
    frag = struct.pack("!BBHI", 51, 0, 0, 0x11223344)
    ah = struct.pack("!BBHII12s", 6, 4, 0, 0x100, 1, bytes(12))
    return eth(0x86dd, ip6(0, p[8:24], p[24:40], hbh + dst + rt + frag + ah + p[40:]))
emit("ipv6-ext.pcap", 1, v6ext)
# Fragments: segments with data split in two (IPv4: MF then offset; IPv6: fragment headers);
# segments without data are left whole.
def frag(t, p):
    if t == 0x0800:
        seg = p[20:]
        if len(seg) <= 40:
            return [eth(t, p)]
        a, b = seg[:32], seg[32:]
        ident = struct.unpack("!H", p[4:6])[0]
        return [eth(t, ip4(6, p[12:16], p[16:20], a, ident=ident, frag=0x2000)),
                eth(t, ip4(6, p[12:16], p[16:20], b, ident=ident, frag=32 // 8))]
    seg = p[40:]
    if len(seg) <= 40:
        return [eth(t, p)]
    a, b = seg[:32], seg[32:]
    return [eth(t, ip6(44, p[8:24], p[24:40], struct.pack("!BBHI", 6, 0, 0 | 1, 7) + a)),
            eth(t, ip6(44, p[8:24], p[24:40], struct.pack("!BBHI", 6, 0, 32, 7) + b))]
out_frames = []
for s, u, (t, p) in fixed:
    out_frames += [(s, u, f) for f in frag(t, p)]
write_pcap(out + "/frag.pcap", 1, out_frames)
# Bad checksums: frame index i % 3 == 1 gets its TCP checksum + 1; i % 3 == 2 (IPv4) its
# header checksum + 1.
def badcsum():
    res = []
    for i, (s, u, (t, p)) in enumerate(fixed):
        p = bytearray(p)
        if i % 3 == 1:
            o = (20 if t == 0x0800 else 40) + 16
            p[o:o + 2] = struct.pack("!H", (struct.unpack("!H", p[o:o + 2])[0] + 1) & 0xffff)
        if i % 3 == 2 and t == 0x0800:
            p[10:12] = struct.pack("!H", (struct.unpack("!H", p[10:12])[0] + 1) & 0xffff)
        res.append((s, u, eth(t, bytes(p))))
    return res
write_pcap(out + "/badcsum.pcap", 1, badcsum())
# Padding and trailer: frames padded with zeros to the 60-byte minimum, then a 4-byte FCS-like
# trailer (de ad be ef) that must not become payload.
emit("trailer.pcap", 1, lambda t, p: (lambda f: f + bytes(max(0, 60 - len(f))) + b"\xde\xad\xbe\xef")(eth(t, p)))
EOF
editcap -F pcapng "$out/lo.pcap" "$out/lo.pcapng"

# The TCP fields of lo.pcap as tshark reads them, for tests/check_dec.c (empty: option absent).
{
    printf '# srcport\tdstport\tseq\tack\twindow\tmss\twscale\tlen\tflags   (tshark, from lo.pcap)\n'
    tshark -n -r "$out/lo.pcap" -T fields -e tcp.srcport -e tcp.dstport -e tcp.seq_raw \
        -e tcp.ack_raw -e tcp.window_size_value -e tcp.options.mss_val \
        -e tcp.options.wscale.shift -e tcp.len -e tcp.flags 2>/dev/null
} >"$out/lo-fields.tsv"

# Seeds for fuzz/fuzz_decode.c: from each classic capture here, the first frame (a SYN) and the
# first frame over 200 bytes (data), as uint8 link index, uint8 cut (0), frame bytes.
mkdir -p fuzz/corpus/fuzz_decode
python3 - "$out" fuzz/corpus/fuzz_decode <<'EOF'
import glob, os, struct, sys
LINKS = [0, 1, 12, 101, 108, 113, 228, 229, 276]
for path in sorted(glob.glob(sys.argv[1] + "/*.pcap")):
    b = open(path, "rb").read()
    if struct.unpack("<I", b[:4])[0] not in (0xa1b2c3d4, 0xa1b23c4d):
        continue
    link = struct.unpack("<I", b[20:24])[0]
    off, picked = 24, []
    while off < len(b):
        cap = struct.unpack("<I", b[off + 8:off + 12])[0]
        frame = b[off + 16:off + 16 + cap]
        if not picked or (len(picked) == 1 and cap > 200):
            picked.append(frame)
        off += 16 + cap
    name = os.path.basename(path)[:-5]
    for i, frame in enumerate(picked):
        with open("%s/%s-%d" % (sys.argv[2], name, i), "wb") as f:
            f.write(bytes([LINKS.index(link), 0]) + frame)
EOF

# Expected per file, from tshark: frames; TCP segments (dissected as TCP outside ICMP errors,
# without IP reassembly, leaving out IP fragments: tlswhy skips them all, the first one too);
# IP headers whose length claims more than the frame holds are malformed for tlswhy, while tshark
# dissects what is there, so those frames are left out too. Among the TCP segments: those with a
# bad TCP checksum and those with a bad IPv4 header checksum.
count_filter='tcp && !icmp && !icmpv6 && !(ip.flags.mf == 1) && !(ip.frag_offset > 0)
  && !(ipv6.fraghdr.more == 1) && !(ipv6.fraghdr.offset > 0)
  && !(_ws.expert.message contains "total length exceeds packet length")
  && !(_ws.expert.message contains "payload length exceeds framing length")'
ts() { tshark -n -r "$1" -o ip.defragment:FALSE -o ipv6.defragment:FALSE "${@:2}" 2>/dev/null; }
{
    printf '# file\tframes\ttcp\tbad_tcp_csum\tbad_ip_csum\tdamaged   (made by scripts/make-decode-data.sh; do not edit)\n'
    list() {
        find "$out" -maxdepth 1 -name '*.pcap*' | sort | sed "s|^$out/|decode:|"
        if [ -d "$peers/pcaps" ]; then
            find "$peers/pcaps" -type f | sort | sed "s|^$peers/|peer:|"
        fi
    }
    list | while read -r tag; do
        case $tag in
        decode:*) f=$out/${tag#decode:} ;;
        peer:*) f=$peers/${tag#peer:} ;;
        esac
        # damaged: tshark stopped with an error after the frames it could read.
        damaged=0
        ts "$f" -T fields -e frame.number >"$tmp/frames" </dev/null || damaged=1
        frames=$(wc -l <"$tmp/frames")
        # Checksum status per segment: 0 bad, 1 good, 2 unverified (several values: tunnels).
        counts=$( (ts "$f" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -Y "$count_filter" \
            -T fields -E separator=';' -e tcp.checksum.status -e ip.checksum.status </dev/null || true) |
            awk -F';' '{ n++; if ($1 ~ /(^|,)0(,|$)/) t++; if ($2 ~ /(^|,)0(,|$)/) i++ }
                     END { printf "%d\t%d\t%d", n, t, i }')
        printf '%s\t%s\t%s\t%s\n' "$tag" "$frames" "$counts" "$damaged"
    done
} >"$out/tcp-counts.tsv"
echo "wrote $out" >&2
