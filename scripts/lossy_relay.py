#!/usr/bin/env python3
"""lossy_relay.py: a userspace Ethernet bridge between two interfaces that drops and holds back
chosen TCP segments, so the endpoints' own kernels retransmit and the far side sees reordering.
It stands in for netem, which the test machines' kernels may lack.

usage: lossy_relay.py IF_A IF_B [--drop a:3,7] [--drop b:4] [--hold a:5] [--hold-for 2]
                      [--seconds 30]

Frames from IF_A go out on IF_B ("a" direction) and back ("b"). Every frame is forwarded as is,
except TCP segments carrying payload, which are numbered from 1 per direction: --drop N loses
the N-th, --hold N keeps it back until --hold-for further payload segments of that direction
have gone through, or 100 ms passed (a reordering). Retransmissions get new numbers, so each drop happens once.
TCP and IP checksums are recomputed on the way (veth leaves them to offload), so captures on
either side show valid checksums. Runs until --seconds pass (or SIGTERM)."""

import argparse
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_payload_len_and_fix(frame):
    """Returns (frame with fixed checksums, TCP payload length or -1 when not TCP)."""
    if len(frame) < 14:
        return frame, -1
    ethertype = struct.unpack("!H", frame[12:14])[0]
    b = bytearray(frame)
    if ethertype == 0x0800 and len(b) >= 34:
        ihl = (b[14] & 0x0F) * 4
        total = struct.unpack("!H", b[16:18])[0]
        if b[23] != 6 or len(b) < 14 + total:
            return frame, -1
        b[24:26] = b"\0\0"
        b[24:26] = struct.pack("!H", csum(bytes(b[14 : 14 + ihl])))
        seg_start, seg_end = 14 + ihl, 14 + total
        pseudo = bytes(b[26:34]) + struct.pack("!BBH", 0, 6, seg_end - seg_start)
    elif ethertype == 0x86DD and len(b) >= 54:
        plen = struct.unpack("!H", b[18:20])[0]
        if b[20] != 6 or len(b) < 54 + plen:
            return frame, -1
        seg_start, seg_end = 54, 54 + plen
        pseudo = bytes(b[22:54]) + struct.pack("!IxxxB", plen, 6)
    else:
        return frame, -1
    doff = (b[seg_start + 12] >> 4) * 4
    b[seg_start + 16 : seg_start + 18] = b"\0\0"
    c = csum(pseudo + bytes(b[seg_start:seg_end]))
    b[seg_start + 16 : seg_start + 18] = struct.pack("!H", c)
    return bytes(b), seg_end - seg_start - doff


def parse_rules(items):
    rules = {"a": set(), "b": set()}
    for item in items or []:
        d, nums = item.split(":")
        rules[d].update(int(x) for x in nums.split(","))
    return rules


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("if_a")
    ap.add_argument("if_b")
    ap.add_argument("--drop", action="append")
    ap.add_argument("--hold", action="append")
    ap.add_argument("--hold-for", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    drop, hold = parse_rules(args.drop), parse_rules(args.hold)

    socks = {}
    for name in (args.if_a, args.if_b):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((name, 0))
        socks[name] = s
    out = {args.if_a: (socks[args.if_b], "a"), args.if_b: (socks[args.if_a], "b")}
    count = {"a": 0, "b": 0}
    held = {"a": [], "b": []}  # [frame, segments still to pass, release time]
    deadline = time.monotonic() + args.seconds

    while time.monotonic() < deadline:
        r, _, _ = select.select(list(socks.values()), [], [], 0.2)
        for s in r:
            frame, addr = s.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING:
                continue  # our own transmissions on this interface
            dst, d = out[addr[0]]
            frame, plen = tcp_payload_len_and_fix(frame)
            if plen > 0:
                count[d] += 1
                n = count[d]
                if n in drop[d]:
                    print("drop %s #%d" % (d, n), file=sys.stderr)
                    continue
                if n in hold[d]:
                    print("hold %s #%d" % (d, n), file=sys.stderr)
                    held[d].append([frame, args.hold_for, time.monotonic() + 0.1])
                    continue
            dst.send(frame)
            if plen > 0:
                for h in held[d]:
                    h[1] -= 1
                for h in [h for h in held[d] if h[1] <= 0]:
                    dst.send(h[0])
                    held[d].remove(h)
        # A held segment with nothing behind it goes out after 100 ms rather than never.
        now = time.monotonic()
        for d, dst_if in (("a", args.if_b), ("b", args.if_a)):
            for h in [h for h in held[d] if h[2] <= now]:
                socks[dst_if].send(h[0])
                held[d].remove(h)
    return 0


if __name__ == "__main__":
    sys.exit(main())
