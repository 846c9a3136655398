#!/usr/bin/env python3
"""hostile.py: the peers of the hostile-names sample, whose strings try to attack the reader of
tlswhy's output: terminal escape sequences, CR/LF, quotes, HTML/script, NUL, DEL, C1 controls
and ill-formed UTF-8. The constants below are what goes on the wire; tests/t_hostile_names.sh
imports them to check that each one comes back escaped (text) or byte for byte (JSON).

  hostile.py pki DIR               a test CA and a leaf whose names are hostile (DIR/ca.pem,
                                   DIR/leaf.pem, DIR/leaf.key), made with `cryptography`
  hostile.py hello ADDR PORT SNI   connect, send a TLS 1.2 ClientHello with server name
                                   SNI_NUL or SNI_NO_NUL, read the answer, close (FIN)
  hostile.py http ADDR PORT        connect and send HTTP_REQUEST to a TLS port
  hostile.py httpserver ADDR PORT  accept one connection, read, answer HTTP_RESPONSE, close
"""
import datetime
import os
import socket
import struct
import sys
import time

# Ill-formed UTF-8 (\xff, an overlong \xc0\xaf, a lone continuation \x80), a well-formed é, and
# C0/C1 controls. OpenSSL refuses a server name with a NUL (alert 112), so there are two.
SNI_NO_NUL = (b"\x1b[2J\x1b]0;pwned\x07evil\r\nX-Injected: \"q\" 'q' <script>alert(1)</script>"
              b"\xff\xc0\xaf\x80 caf\xc3\xa9 \xc2\x9b31m \x7f.test")
SNI_NUL = b"nul\x00byte\x1b[31m.test"
HTTP_REQUEST = (b"GET /\x1b[2J<script>alert('path')</script> HTTP/1.1\r\n"
                b"Host: \x1b]0;title\x07\xff\xfe\r\n\r\n")
HTTP_RESPONSE = (b"HTTP/1.1 400 \x1b[31mBad\x1b[0m <script>alert('srv')</script>\r\n"
                 b"Content-Length: 0\r\n\r\n")
# Certificate names (UTF8String / IA5String): every ASCII control class, quotes and markup.
CA_CN = "Hostile CA \x1b[5mblink\x1b[0m \"q\""
LEAF_CN = "\x1b[31mred\x1b[0m\r\n<script>alert('cn')</script>\"q\"\x00nul\x07bell\x7fdel\x9bcsi"
LEAF_O = "<b>Org</b>\ttab\x1b[1m"
LEAF_SANS = ["evil\x1b[2J.test", "<img src=x onerror=alert(1)>.test", "line\r\nbreak.test",
             "origin.test"]


def pki(d):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    def name(cn, org=None):
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
        return x509.Name(attrs)

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(name(CA_CN)).issuer_name(name(CA_CN))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (x509.CertificateBuilder().subject_name(name(LEAF_CN, LEAF_O)).issuer_name(name(CA_CN))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=825))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in LEAF_SANS]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    with open(os.path.join(d, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(pem))
    with open(os.path.join(d, "leaf.pem"), "wb") as f:
        f.write(leaf.public_bytes(pem))
    with open(os.path.join(d, "leaf.key"), "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))


def ext(etype, body):
    return struct.pack("!HH", etype, len(body)) + body


def client_hello(sni):
    """A TLS 1.2 ClientHello (ECDHE-RSA with AES-GCM, x25519/P-256) naming sni."""
    names = struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni
    groups = struct.pack("!H", 4) + b"\x00\x1d\x00\x17"
    sigalgs = struct.pack("!H", 6) + b"\x08\x04\x04\x01\x04\x03"
    exts = (ext(0x0000, names) + ext(0x000a, groups) + ext(0x000b, b"\x01\x00")
            + ext(0x000d, sigalgs) + ext(0xff01, b"\x00"))
    suites = b"\xc0\x2f\xc0\x30"
    body = (b"\x03\x03" + os.urandom(32) + b"\x00" + struct.pack("!H", len(suites)) + suites
            + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def read_for(conn, seconds):
    """Everything the peer sends within seconds, or until it closes."""
    conn.settimeout(seconds)
    data, end = b"", time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return data


def send_and_close(addr, port, payload, what):
    conn = socket.create_connection((addr, port), timeout=5)
    conn.sendall(payload)
    answer = read_for(conn, 1.0)
    print(f"hostile: {what}: {len(answer)} bytes back, first {answer[:8].hex()}", file=sys.stderr)
    conn.close()


def http_server(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    conn, _ = ls.accept()
    read_for(conn, 0.5)
    conn.sendall(HTTP_RESPONSE)
    conn.close()
    ls.close()


def main():
    a = sys.argv[1:]
    if a[:1] == ["pki"] and len(a) == 2:
        pki(a[1])
    elif a[:1] == ["hello"] and len(a) == 4 and a[3] in ("SNI_NUL", "SNI_NO_NUL"):
        send_and_close(a[1], int(a[2]), client_hello(globals()[a[3]]), a[3])
    elif a[:1] == ["http"] and len(a) == 3:
        send_and_close(a[1], int(a[2]), HTTP_REQUEST, "http")
    elif a[:1] == ["httpserver"] and len(a) == 3:
        http_server(a[1], int(a[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
