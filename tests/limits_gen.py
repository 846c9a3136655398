#!/usr/bin/env python3
"""limits_gen.py KIND OUT.pcap: writes a hostile capture for tests/t_limits.sh, with the ordinary
connection of samples/ok-tls12.pcap spliced in (its frames spread over the hostile ones, their
times shifted into the hostile traffic's second), so its verdict can be checked too.

  synflood   1,000,000 SYNs from distinct ports and addresses to port 443
  ooo        one connection whose client sends 40 MB, each segment beyond a hole
  bighs      a server whose Certificate message claims 16 MB (0xffffff) and sends all of it
  certchain  a server whose Certificate message holds 10,000 certificates
  nested     frames with 2,000 VLAN tags and frames 64 VXLAN tunnels deep, and the ordinary
             connection itself inside two VLAN tags and two VXLAN tunnels (within the caps)

The hostile connections run between 198.51.100.0/24 hosts and 203.0.113.1, the ordinary one
between 192.0.2.10 and 192.0.2.20, so they never share a 5-tuple. The generated frames have
right checksums (the sample's are as captured: left to the NIC, so not valid in the file).
"""
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAC = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"
CLIENT_IP = bytes([198, 51, 100, 7])
SERVER_IP = bytes([203, 0, 113, 1])
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def csum(data, start=0):
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def ipv4(src, dst, proto, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst)
    return hdr[:10] + struct.pack("!H", ~csum(hdr) & 0xFFFF) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags,
                      65535, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr) + len(payload))
    c = ~csum(hdr + payload, csum(pseudo)) & 0xFFFF
    return ipv4(src, dst, 6, hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload)


def udp(src, dst, sport, dport, payload):
    # UDP checksum 0: "not computed", valid for IPv4 (RFC 768).
    return ipv4(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def ether(ip_packet, ethertype=0x0800):
    return MAC + struct.pack("!H", ethertype) + ip_packet


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def add(self, ts_us, frame):
        self.f.write(struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def ordinary_frames():
    """The frames (Ethernet) of samples/ok-tls12.pcap, in order."""
    with open(os.path.join(ROOT, "samples", "ok-tls12.pcap"), "rb") as f:
        data = f.read()
    magic, _, _, _, _, _, link = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and link == 1, "ok-tls12.pcap: expected a little-endian Ethernet pcap"
    frames, off = [], 24
    while off < len(data):
        _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return frames


def first_ts_us():
    """The ordinary connection's first time: the spliced capture starts there, inside the
    validity of the sample's certificates."""
    with open(os.path.join(ROOT, "samples", "ok-tls12.pcap"), "rb") as f:
        sec, usec = struct.unpack("<II", f.read(32)[24:32])
    return sec * 1000000 + usec


def splice(out, hostile, ordinary, span_us=1000000):
    """Writes the hostile frames (an iterable of frames, count given by len()) with the ordinary
    frames spread evenly among them; every frame gets the next time in one second."""
    total = len(hostile) + len(ordinary)
    t0 = first_ts_us()
    every = max(1, len(hostile) // (len(ordinary) + 1))
    n = 0
    queue = list(ordinary)
    for i, frame in enumerate(hostile):
        if queue and i and i % every == 0:
            out.add(t0 + n * span_us // total, queue.pop(0))
            n += 1
        out.add(t0 + n * span_us // total, frame)
        n += 1
    for frame in queue:
        out.add(t0 + n * span_us // total, frame)
        n += 1


class Lazy:
    """A sized iterable of generated frames (the flood is not held in memory)."""

    def __init__(self, n, make):
        self.n, self.make = n, make

    def __len__(self):
        return self.n

    def __iter__(self):
        return (self.make(i) for i in range(self.n))


def synflood():
    # 1M SYNs differ in source address and port only: the checksums are patched, not recomputed.
    base_ip = ipv4(CLIENT_IP, SERVER_IP, 6, b"\0" * 20)
    hdr = bytearray(ether(tcp(CLIENT_IP, SERVER_IP, 0, 443, 1000, 0, SYN)))
    ip_sum = csum(bytes(base_ip[:10]) + bytes(base_ip[12:20]))
    tcp_sum = csum(bytes(hdr[34:50]) + bytes(hdr[52:54]), csum(CLIENT_IP + SERVER_IP + b"\0\x06\0\x14"))

    def fold(s):
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        return ~s & 0xFFFF

    def make(i):
        host, port = 1 + i // 60000, 1024 + i % 60000
        src = bytes([198, 51, 100 + host // 250, 1 + host % 250])
        src_words = (src[0] << 8 | src[1]) + (src[2] << 8 | src[3])
        old = bytes([198, 51, 100, 7])
        old_words = (old[0] << 8 | old[1]) + (old[2] << 8 | old[3])
        f = bytearray(hdr)
        f[26:30] = src
        f[24:26] = struct.pack("!H", fold(ip_sum - old_words + src_words + 0xFFFF * 2))
        f[34:36] = struct.pack("!H", port)
        f[50:52] = struct.pack("!H", fold(tcp_sum - old_words + src_words + port + 0xFFFF * 2))
        return bytes(f)

    return Lazy(1000000, make)


def handshake(sport, client_payloads, server_payloads):
    """A connection from CLIENT_IP:sport to SERVER_IP:443: SYN, SYN-ACK, ACK, then the client's
    payloads, then the server's, each as one segment (already cut to <= 16 KB), then FINs."""
    c, s = 5000, 9000
    frames = [ether(tcp(CLIENT_IP, SERVER_IP, sport, 443, c, 0, SYN)),
              ether(tcp(SERVER_IP, CLIENT_IP, 443, sport, s, c + 1, SYN | ACK)),
              ether(tcp(CLIENT_IP, SERVER_IP, sport, 443, c + 1, s + 1, ACK))]
    c, s = c + 1, s + 1
    for p in client_payloads:
        frames.append(ether(tcp(CLIENT_IP, SERVER_IP, sport, 443, c, s, PSH | ACK, p)))
        c += len(p)
    for p in server_payloads:
        frames.append(ether(tcp(SERVER_IP, CLIENT_IP, 443, sport, s, c, PSH | ACK, p)))
        s += len(p)
    frames.append(ether(tcp(SERVER_IP, CLIENT_IP, 443, sport, s, c, FIN | ACK)))
    frames.append(ether(tcp(CLIENT_IP, SERVER_IP, sport, 443, c, s + 1, FIN | ACK)))
    return frames


def client_hello():
    """The ClientHello record of the ordinary connection (its first client payload)."""
    for frame in ordinary_frames():
        payload = frame[14 + 20 + (frame[14 + 20 + 12] >> 4) * 4:]
        if payload[:1] == b"\x16":
            return payload
    raise RuntimeError("no ClientHello in ok-tls12.pcap")


def server_hello():
    body = b"\x03\x03" + b"\x11" * 32 + b"\x00" + b"\xc0\x30" + b"\x00"
    return b"\x02" + struct.pack("!I", len(body))[1:] + body


def records(hs_bytes, size=16384):
    """hs_bytes cut into TLS 1.2 handshake records of at most size bytes."""
    return [b"\x16\x03\x03" + struct.pack("!H", len(hs_bytes[i:i + size])) + hs_bytes[i:i + size]
            for i in range(0, len(hs_bytes), size)]


def bighs():
    # ServerHello, then a Certificate of 0xffffff bytes (a list of one 16 MB "certificate").
    msg = server_hello() + b"\x0b\xff\xff\xff" + b"\xff\xff\xfc\xff\xff\xf9" + b"\x30" * 0xfffff9
    return handshake(40001, [client_hello()], records(msg))


def certchain():
    # 10,000 certificates of 64 bytes (a DER SEQUENCE of junk): the message (~670 KB) is under
    # max_hs_msg, so it is parsed and only the first max_certs are kept.
    cert = b"\x30\x3e" + b"\x02" * 62
    entries = b"".join(struct.pack("!I", len(cert))[1:] + cert for _ in range(10000))
    body = struct.pack("!I", len(entries))[1:] + entries
    msg = server_hello() + b"\x0b" + struct.pack("!I", len(body))[1:] + body + b"\x0e\x00\x00\x00"
    return handshake(40002, [client_hello()], records(msg))


def ooo():
    # Every other segment of the client's never arrives: each one sent lands beyond a hole, for
    # 40 MB (1000 bytes a segment), and the server never acknowledges any of it.
    frames = handshake(40003, [], [])[:3]
    seq, ack = 5001, 9001
    chunk = b"\x17\x03\x03\x03\xe3" + b"\x5a" * 995
    for i in range(40000):
        frames.append(ether(tcp(CLIENT_IP, SERVER_IP, 40003, 443, seq + (2 * i + 1) * 1000, ack,
                                PSH | ACK, chunk)))
    return frames


def vxlan(inner_frame, depth):
    """inner_frame (Ethernet) wrapped in depth VXLAN tunnels (UDP port 4789)."""
    for _ in range(depth):
        inner_frame = ether(udp(bytes([10, 9, 9, 1]), bytes([10, 9, 9, 2]), 50000, 4789,
                                b"\x08\0\0\0\0\0\x01\0" + inner_frame))
    return inner_frame


def vlans(frame, tags):
    """frame (Ethernet) with tags 802.1Q tags pushed after its addresses."""
    return frame[:12] + b"\x81\x00\x00\x05" * tags + frame[12:]


def nested():
    syn = ether(tcp(CLIENT_IP, SERVER_IP, 40004, 443, 5000, 0, SYN))
    hostile = []
    for i in range(500):
        hostile.append(vlans(syn, 2000))  # 8 KB of tags: walked, then the SYN decodes
        hostile.append(vxlan(syn, 64))  # 64 tunnels deep: over the cap, dropped as malformed
    ordinary = [vxlan(vlans(f, 2), 2) for f in ordinary_frames()]
    return hostile, ordinary


def main():
    kind, path = sys.argv[1], sys.argv[2]
    out = Pcap(path)
    if kind == "nested":
        hostile, ordinary = nested()
        splice(out, hostile, ordinary)
    else:
        make = {"synflood": synflood, "ooo": ooo, "bighs": bighs, "certchain": certchain}[kind]
        splice(out, make(), ordinary_frames())
    out.close()


if __name__ == "__main__":
    main()
