#!/usr/bin/env python3
"""keepalive_client.py ADDR PORT CAFILE SNI PAUSE: an edge that keeps its origin connection alive.

Connects with TLS 1.2 (trusts CAFILE, checks SNI), sends GET /hello.txt with HTTP/1.1 keep-alive,
reads the answer, waits PAUSE seconds WITHOUT reading (so it does not notice the origin's close),
then sends the next request on the same connection, as an edge reusing its pooled connection
does. Prints what happened to the second request (an answer, or the reset). Stdlib only.
"""
import socket
import ssl
import sys
import time


def request():
    return b"GET /hello.txt HTTP/1.1\r\nHost: origin.test\r\nConnection: keep-alive\r\n\r\n"


def main():
    addr, port, cafile, sni, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection((addr, port), timeout=5)
    s = ctx.wrap_socket(raw, server_hostname=sni)
    s.sendall(request())
    first = s.recv(4096)
    print("first answer:", first.split(b"\r\n", 1)[0].decode(errors="replace"))
    time.sleep(pause)
    try:
        s.sendall(request())
        second = s.recv(4096)
        print("second answer:", second.split(b"\r\n", 1)[0].decode(errors="replace") or "EOF")
    except (OSError, ssl.SSLError) as e:
        print("second request failed:", e)
    raw.close()


if __name__ == "__main__":
    main()
