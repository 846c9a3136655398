#!/usr/bin/env python3
"""make-large-capture.py: multiplies the connections of sample captures into one large capture,
for measuring the ticket report (bench/report-large.sh). Not a sample: the output is not
committed.

  make-large-capture.py N OUT.pcap SAMPLE.pcap...

Writes N connections: copy i replays SAMPLE number i % len(SAMPLES) (each an Ethernet/IPv4
capture of one connection, as scripts/samples/ make them) with its own client address and port
(10.x.y.z, port 20000 + i % 40000) and its timestamps shifted so copies start 20 ms apart (a sample must be shorter than that, so
the output stays in time order). IP and
TCP checksums are recomputed, so the capture is as valid as the samples."""
import struct
import sys

SPACING_US = 20000


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit("%s: only little-endian microsecond pcap is supported" % path)
    if struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit("%s: only Ethernet captures are supported" % path)
    pos, pkts = 24, []
    while pos + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        pkts.append((sec * 1000000 + usec, data[pos + 16:pos + 16 + incl], orig))
        pos += 16 + incl
    return pkts


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def rewrite(frame, client_ip, new_ip, new_port, client_port):
    f = bytearray(frame)
    if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] != 6:
        return bytes(f)
    ihl = (f[14] & 15) * 4
    ip, tcp = 14, 14 + ihl
    total = struct.unpack("!H", f[ip + 2:ip + 4])[0]
    src, dst = bytes(f[ip + 12:ip + 16]), bytes(f[ip + 16:ip + 20])
    sport, dport = struct.unpack("!HH", f[tcp:tcp + 4])
    if src == client_ip and sport == client_port:
        f[ip + 12:ip + 16], f[tcp:tcp + 2] = new_ip, struct.pack("!H", new_port)
    elif dst == client_ip and dport == client_port:
        f[ip + 16:ip + 20], f[tcp + 2:tcp + 4] = new_ip, struct.pack("!H", new_port)
    f[ip + 10:ip + 12] = b"\0\0"
    f[ip + 10:ip + 12] = struct.pack("!H", csum(bytes(f[ip:ip + ihl])))
    seg_len = total - ihl
    if tcp + seg_len <= len(f):  # whole segment captured: recompute the TCP checksum
        f[tcp + 16:tcp + 18] = b"\0\0"
        pseudo = bytes(f[ip + 12:ip + 20]) + struct.pack("!BBH", 0, 6, seg_len)
        f[tcp + 16:tcp + 18] = struct.pack("!H", csum(pseudo + bytes(f[tcp:tcp + seg_len])))
    return bytes(f)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    n, out, paths = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    samples = []
    for p in paths:
        pkts = read_pcap(p)
        first = pkts[0][1]  # the client sends the first packet (its SYN)
        ihl = (first[14] & 15) * 4
        if pkts[-1][0] - pkts[0][0] >= SPACING_US:
            sys.exit("%s: longer than %d ms" % (p, SPACING_US // 1000))
        samples.append((pkts, first[26:30], struct.unpack("!H", first[14 + ihl:16 + ihl])[0]))
    t0 = min(s[0][0][0] for s in samples)
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i in range(n):
            pkts, client_ip, client_port = samples[i % len(samples)]
            new_ip = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
            base = pkts[0][0]
            for ts, frame, orig in pkts:
                t = t0 + i * SPACING_US + (ts - base)
                body = rewrite(frame, client_ip, new_ip, 20000 + i % 40000, client_port)
                f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(body), orig))
                f.write(body)


if __name__ == "__main__":
    main()
