#!/usr/bin/env python3
"""peers.py: the small misbehaving peers the sample scenarios need (stdlib only).

  peers.py silent ADDR PORT    accept, read the ClientHello, never send a byte
  peers.py close  ADDR PORT    accept, read the ClientHello, close (FIN)
  peers.py reset  ADDR PORT    accept, read the ClientHello, reset (SO_LINGER 0 -> RST)
  peers.py badhello ADDR PORT  connect and send a ClientHello whose supported_groups list has an
                               odd length (every outer length is consistent), print the answer

Each server handles one connection and exits; the caller bounds it with `timeout`.
"""
import socket
import struct
import sys
import time


def read_record(conn, deadline=5.0):
    """Reads one whole TLS record (5-byte header + its length) or whatever arrives in time."""
    conn.settimeout(deadline)
    data = b""
    while True:
        try:
            chunk = conn.recv(4096)
        except socket.timeout:
            return data
        if not chunk:
            return data
        data += chunk
        if len(data) >= 5 and len(data) >= 5 + struct.unpack("!H", data[3:5])[0]:
            return data


def serve(mode, addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    conn, _ = ls.accept()
    hello = read_record(conn)
    print(f"peers: {mode}: read {len(hello)} bytes", file=sys.stderr)
    if mode == "silent":
        # Keep the connection open and quiet until the client gives up.
        conn.settimeout(30)
        try:
            while conn.recv(4096):
                pass
        except socket.timeout:
            pass
    elif mode == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    ls.close()


def ext(etype, body):
    # struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
    return struct.pack("!HH", etype, len(body)) + body


def bad_client_hello():
    sni_name = b"origin.test"
    # ServerNameList: server_name_list<1..2^16-1> of { NameType name_type; HostName name<1..2^16-1> }
    sni = struct.pack("!HBH", len(sni_name) + 3, 0, len(sni_name)) + sni_name
    # NamedGroupList: named_group_list<2..2^16-1>, 2-byte entries. Length 3 is the deliberate
    # fault: x25519 (0x001d) followed by one stray byte; the extension length (5) agrees with it.
    groups = struct.pack("!H", 3) + b"\x00\x1d\x00"
    # SignatureSchemeList: rsa_pss_rsae_sha256, rsa_pkcs1_sha256, ecdsa_secp256r1_sha256
    sigalgs = struct.pack("!H", 6) + b"\x08\x04\x04\x01\x04\x03"
    exts = (ext(0x0000, sni) + ext(0x000a, groups) + ext(0x000b, b"\x01\x00")
            + ext(0x000d, sigalgs))
    # TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, ..._AES_256_GCM_SHA384, TLS_RSA_WITH_AES_128_GCM_SHA256
    suites = b"\xc0\x2f\xc0\x30\x00\x9c"
    # struct { ProtocolVersion legacy_version; Random random; opaque legacy_session_id<0..32>;
    #          CipherSuite cipher_suites<2..2^16-2>; opaque compression_methods<1..2^8-1>;
    #          Extension extensions<8..2^16-1>; } ClientHello;
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00" + struct.pack("!H", len(suites)) + suites
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    # Handshake: msg_type client_hello(1), uint24 length
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    # TLSPlaintext: ContentType handshake(22), legacy_record_version 0x0301, uint16 length
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def bad_hello(addr, port):
    conn = socket.create_connection((addr, port), timeout=5)
    conn.sendall(bad_client_hello())
    answer = read_record(conn)
    print(f"peers: badhello: answer {answer.hex()}", file=sys.stderr)
    time.sleep(0.2)
    conn.close()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode in ("silent", "close", "reset"):
        serve(mode, addr, port)
    elif mode == "badhello":
        bad_hello(addr, port)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
