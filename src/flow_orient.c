/* flow_orient.c: who is the client of a connection whose SYN the capture missed, from the first
 * payload bytes (RFC 8446 §5.1 record header, §4 handshake header; SSLv2 CLIENT-HELLO per
 * RFC 6101 appendix E.2). The flow layer's only knowledge of TLS. */
#include "reasm.h"

#include "tlswhy/rd.h"

/* TLS record header followed by a handshake header:
 *   ContentType type;                      22 (handshake)
 *   ProtocolVersion legacy_record_version; 0x03 xx (SSL 3.0 .. TLS 1.2 on the wire)
 *   uint16 length;
 *   HandshakeType msg_type;                1 client_hello, 2 server_hello
 *   uint24 length;                         (not needed)
 * SSLv2-format hello (2-byte header form):
 *   uint16 msg_length;                     high bit set
 *   uint8 msg_type;                        1 (CLIENT-HELLO)
 *   uint16 version;                        0x0002 or 0x03xx */
static int tls_side(const uint8_t *data, size_t len)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(data, len, &e);
    uint8_t type = tw_rd_u8(&r);
    uint8_t major = tw_rd_u8(&r);
    tw_rd_u8(&r);  /* minor: any */
    tw_rd_u16(&r); /* record length */
    uint8_t msg_type = tw_rd_u8(&r);
    if (!tw_rd_ok(&r) || type != 22 || major != 3)
        return 0;
    return msg_type == 1 ? 1 : msg_type == 2 ? -1 : 0;
}

static int sslv2_side(const uint8_t *data, size_t len)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(data, len, &e);
    uint16_t msg_length = tw_rd_u16(&r);
    uint8_t msg_type = tw_rd_u8(&r);
    uint16_t version = tw_rd_u16(&r);
    if (!tw_rd_ok(&r) || !(msg_length & 0x8000) || msg_type != 1)
        return 0;
    return (version == 0x0002 || (version >> 8) == 3) ? 1 : 0;
}

int tw_flow_hello_side(const uint8_t *data, size_t len)
{
    int side = tls_side(data, len);
    return side ? side : sslv2_side(data, len);
}
