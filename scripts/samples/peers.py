#!/usr/bin/env python3
"""peers.py: the small misbehaving peers the sample scenarios need (stdlib only).

  peers.py silent ADDR PORT    accept, read the ClientHello, never send a byte
  peers.py close  ADDR PORT    accept, read the ClientHello, close (FIN)
  peers.py reset  ADDR PORT    accept, read the ClientHello, reset (SO_LINGER 0 -> RST)
  peers.py badhello ADDR PORT  connect and send a ClientHello whose supported_groups list has an
                               odd length (every outer length is consistent), print the answer
  peers.py badcert ADDR PORT   accept, read the ClientHello, answer with a hand-built TLS 1.2
                               flight whose one certificate is not DER, print the client's answer
  peers.py reject ADDR PORT 1.2|1.3 fin|rst CAFILE [KEYLOG]
                               a TLS client (stdlib ssl over MemoryBIO) that checks the server's
                               chain for origin.test against CAFILE and, when it rejects it,
                               closes the connection (FIN, or RST with "rst") without sending the
                               alert OpenSSL wrote, like CloudFront, Go, .NET or some curl builds
  peers.py strict-order ADDR PORT CAFILE SNI
                               a TLS 1.2 client (stdlib ssl over MemoryBIO, trusts CAFILE, checks
                               SNI) that also checks the ORDER of the server's chain, as CloudFront
                               does: certificate i must be issued by certificate i+1. A misordered
                               chain makes it close the connection (FIN) at once, with no alert;
                               otherwise it finishes the handshake, sends GET /hello.txt, prints
                               the answer and closes with close_notify

Each server handles one connection and exits; the caller bounds it with `timeout`.
"""
import socket
import ssl
import struct
import subprocess
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


def hs_msg(msg_type, body):
    # struct { HandshakeType msg_type; uint24 length; ... body } Handshake;
    return bytes([msg_type]) + struct.pack("!I", len(body))[1:] + body


def bad_cert_flight():
    """One TLS 1.2 record holding ServerHello, Certificate (one non-DER entry), ServerHelloDone."""
    # ServerHello extensions: renegotiation_info (0xff01) with an empty renegotiated_connection
    # (opaque <0..255>, so one zero byte); without it OpenSSL 3 clients refuse the server
    # ("unsafe legacy renegotiation disabled") before they reach the certificate.
    exts = ext(0xff01, b"\x00")
    # struct { ProtocolVersion server_version (0x0303); Random random (32 fixed bytes 0x20..0x3f,
    #          not the TLS 1.3 downgrade sentinel); SessionID session_id<0..32> (empty: nothing to
    #          resume); CipherSuite cipher_suite (0xc02f TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    #          CompressionMethod compression_method (0, null);
    #          Extension extensions<0..2^16-1>; } ServerHello;
    server_hello = (b"\x03\x03" + bytes(range(0x20, 0x40)) + b"\x00" + b"\xc0\x2f" + b"\x00"
                    + struct.pack("!H", len(exts)) + exts)
    # The certificate: 40 bytes that open like DER, SEQUENCE (0x30) of length 38 (0x26), then 38
    # bytes 0xa5: a context-specific constructed tag where tbsCertificate's SEQUENCE must be.
    garbage = b"\x30\x26" + b"\xa5" * 38
    # opaque ASN.1Cert<1..2^24-1>; struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
    entry = struct.pack("!I", len(garbage))[1:] + garbage
    certificate = struct.pack("!I", len(entry))[1:] + entry
    hs = hs_msg(2, server_hello) + hs_msg(11, certificate) + hs_msg(14, b"")
    # TLSPlaintext: ContentType handshake(22), ProtocolVersion 0x0303, uint16 length
    return b"\x16\x03\x03" + struct.pack("!H", len(hs)) + hs


def bad_cert(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    conn, _ = ls.accept()
    hello = read_record(conn)
    print(f"peers: badcert: read {len(hello)} bytes", file=sys.stderr)
    conn.sendall(bad_cert_flight())
    answer = read_record(conn)
    print(f"peers: badcert: answer {answer.hex()}", file=sys.stderr)
    conn.close()
    ls.close()


def reject(addr, port, version, how, cafile, keylog):
    """Drives the client handshake by hand so that the socket stays ours: OpenSSL writes its
    fatal alert into the outgoing BIO, and we close instead of sending it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
    ctx.load_verify_locations(cafile)
    ctx.minimum_version = ctx.maximum_version = {
        "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[version]
    if keylog:
        ctx.keylog_filename = keylog
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="origin.test")
    conn = socket.create_connection((addr, port), timeout=5)
    outcome = "server closed first"
    try:
        while True:
            try:
                tls.do_handshake()
                outcome = "handshake completed"
                break
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    conn.sendall(outgoing.read())
                data = conn.recv(65536)
                if not data:
                    break
                incoming.write(data)
    except ssl.SSLCertVerificationError as e:
        dropped = outgoing.read()
        outcome = f"rejected: {e.verify_message}; {len(dropped)} bytes of alert not sent"
    except (ssl.SSLError, OSError) as e:
        outcome = f"failed: {e}"
    if how == "rst":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()
    print(f"peers: reject: {outcome}; closed with {how}", file=sys.stderr)


def server_certificates(data):
    """The DER list of the first Certificate message in the server's plaintext (TLS 1.2)
    records at the start of data, or None while it has not fully arrived.

    struct { ContentType type; ProtocolVersion legacy_record_version; uint16 length;
             opaque fragment[TLSPlaintext.length]; } TLSPlaintext;
    Handshake messages may span records, so the fragments of consecutive handshake(22) records
    are joined into one stream, cut into messages by
    struct { HandshakeType msg_type; uint24 length; opaque body[length]; } Handshake;
    and the certificate(11) body is (RFC 5246 7.4.2)
    opaque ASN.1Cert<1..2^24-1>; struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
    Any other record type (alert, change_cipher_spec) ends the plaintext flight.
    """
    stream, pos = b"", 0
    while pos + 5 <= len(data) and data[pos] == 22:
        (rlen,) = struct.unpack("!H", data[pos + 3:pos + 5])
        if pos + 5 + rlen > len(data):
            break
        stream += data[pos + 5:pos + 5 + rlen]
        pos += 5 + rlen
    off = 0
    while off + 4 <= len(stream):
        mtype, mlen = stream[off], int.from_bytes(stream[off + 1:off + 4], "big")
        if off + 4 + mlen > len(stream):
            return None
        if mtype == 11:
            body = stream[off + 4:off + 4 + mlen]
            if len(body) < 3 or 3 + int.from_bytes(body[0:3], "big") != len(body):
                raise ValueError("Certificate: certificate_list length disagrees with the message")
            certs, i = [], 3
            while i < len(body):
                if i + 3 > len(body):
                    raise ValueError("Certificate: truncated ASN.1Cert length")
                clen = int.from_bytes(body[i:i + 3], "big")
                if clen == 0 or i + 3 + clen > len(body):
                    raise ValueError("Certificate: ASN.1Cert overruns the list")
                certs.append(body[i + 3:i + 3 + clen])
                i += 3 + clen
            return certs
        off += 4 + mlen
    return None


def name_hash(der, which):
    """OpenSSL's hash of the canonical subject or issuer name (what `openssl rehash` uses), so
    that two names compare equal exactly when OpenSSL's chain building would match them."""
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", f"-{which}_hash"],
                         input=der, capture_output=True, check=True, timeout=5)
    return out.stdout.decode().strip()


def order_problem(certs):
    """None if each certificate is issued by the next one (the order RFC 5246 7.4.2 requires and
    CloudFront enforces), else a description of the first break."""
    for i in range(len(certs) - 1):
        issuer, nxt = name_hash(certs[i], "issuer"), name_hash(certs[i + 1], "subject")
        if issuer != nxt:
            return (f"certificate {i} (issuer hash {issuer}) is not issued by certificate "
                    f"{i + 1} (subject hash {nxt})")
    return None


class Misordered(Exception):
    """The strict client's verdict on the server's chain: it closes without a word."""


def strict_order(addr, port, cafile, sni):
    """Drives the handshake by hand (like reject) and judges the server's Certificate itself
    before anything of ours goes out after it: OpenSSL alone would rebuild the path and accept."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name too
    ctx.load_verify_locations(cafile)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    conn = socket.create_connection((addr, port), timeout=5)
    received, judged = b"", False

    def pump():
        """Sends what OpenSSL wrote, then feeds it what the server sends; False on EOF."""
        nonlocal received
        if outgoing.pending:
            conn.sendall(outgoing.read())
        data = conn.recv(65536)
        if not data:
            incoming.write_eof()
            return False
        received += data
        incoming.write(data)
        return True

    try:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                # OpenSSL wrote our next flight only once the server's was complete, so the
                # Certificate is judged before the first byte after it leaves.
                certs = None if judged else server_certificates(received)
                if certs is not None:
                    judged = True
                    problem = order_problem(certs)
                    print(f"peers: strict-order: chain of {len(certs)}: {problem or 'in order'}",
                          file=sys.stderr)
                    if problem:
                        raise Misordered(f"{len(outgoing.read())} bytes of our flight not sent")
                if not pump():
                    raise ConnectionError("server closed during the handshake")
        tls.write(f"GET /hello.txt HTTP/1.0\r\nHost: {sni}\r\n\r\n".encode())
        answer = b""
        while True:
            try:
                chunk = tls.read(65536)
            except ssl.SSLWantReadError:
                if not pump():
                    break
                continue
            except ssl.SSLZeroReturnError:
                break
            if not chunk:  # the server's close_notify (SSLObject returns b"" for it)
                break
            answer += chunk
        outcome = f"handshake completed; answer {answer.splitlines()[:1]}, {len(answer)} bytes"
        try:
            tls.unwrap()  # writes our close_notify
        except ssl.SSLError:
            pass
        if outgoing.pending:
            conn.sendall(outgoing.read())
    except Misordered as e:
        outcome = f"misordered chain: closed with FIN, no alert ({e})"
    except ssl.SSLCertVerificationError as e:
        outcome = f"rejected: {e.verify_message}; {len(outgoing.read())} bytes of alert not sent"
    except (ssl.SSLError, OSError, ValueError) as e:
        outcome = f"failed: {e}"
    conn.close()
    print(f"peers: strict-order: {outcome}", file=sys.stderr)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode in ("silent", "close", "reset") and len(sys.argv) == 4:
        serve(mode, addr, port)
    elif mode == "badhello" and len(sys.argv) == 4:
        bad_hello(addr, port)
    elif mode == "badcert" and len(sys.argv) == 4:
        bad_cert(addr, port)
    elif (mode == "reject" and len(sys.argv) in (7, 8) and sys.argv[4] in ("1.2", "1.3")
          and sys.argv[5] in ("fin", "rst")):
        reject(addr, port, sys.argv[4], sys.argv[5], sys.argv[6],
               sys.argv[7] if len(sys.argv) == 8 else None)
    elif mode == "strict-order" and len(sys.argv) == 6:
        strict_order(addr, port, sys.argv[4], sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
