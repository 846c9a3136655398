#!/usr/bin/env python3
"""slow_relay.py LISTEN_ADDR LISTEN_PORT TO_ADDR TO_PORT DELAY: a slow origin without netem.

Accepts one TCP connection and relays it to TO_ADDR:TO_PORT; bytes from the client go through at
once, every chunk from the server is held DELAY seconds first. The kernel still answers the SYN
at once, so the handshake (ServerHello) and every response come DELAY late. Stdlib only; exits
when either side closes.
"""
import select
import socket
import sys
import time


def main():
    laddr, lport, taddr, tport, delay = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((laddr, lport))
    ls.listen(1)
    cli, _ = ls.accept()
    srv = socket.create_connection((taddr, tport))
    while True:
        ready, _, _ = select.select([cli, srv], [], [], 10)
        if not ready:
            return
        for s in ready:
            data = s.recv(65536)
            if not data:
                return
            if s is srv:
                time.sleep(delay)
                cli.sendall(data)
            else:
                srv.sendall(data)


if __name__ == "__main__":
    main()
