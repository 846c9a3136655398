/* tls_probe.c: what the first bytes of a direction are: a TLS record (RFC 8446 §5.1), an SSLv2
 * record header (RFC 6101 §E, RFC 5246 §E.2), an HTTP request or status line, an SSH banner
 * (RFC 4253 §4.2), or something else. Decided from bytes, never from the port. */
#include "tls_int.h"

#include <string.h>

static const char *const http_methods[] = {
    "GET ",     "POST ",    "HEAD ",  "PUT ",   "DELETE ",
    "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ", "PRI * HTTP/2",
};

/* 1: p[0..n) starts with s; 0: it cannot; -1: too short to tell yet. */
static int starts(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    size_t m = n < k ? n : k;
    if (memcmp(p, s, m) != 0)
        return 0;
    return n >= k ? 1 : -1;
}

/* TLSPlaintext header: ContentType type (20..24); ProtocolVersion legacy_record_version
 * (3,0..4); uint16 length. SSLv2 (2-byte header, MSB set): uint16 0x8000|length;
 * uint8 msg_type (1 = CLIENT-HELLO); uint16 version (0x0002 or 3,x); or msg_type 4
 * (SERVER-HELLO), uint8 session_id_hit, uint8 certificate_type, uint16 version (0x0002). */
static enum tw_probe_kind tls_or_v2(const uint8_t *p, size_t n, bool *maybe)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(p, n, &e);
    uint8_t b0 = tw_rd_u8(&r), b1 = tw_rd_u8(&r), b2 = tw_rd_u8(&r);
    *maybe = false;
    if (b0 >= TW_CT_CHANGE_CIPHER_SPEC && b0 <= TW_CT_HEARTBEAT) {
        if (n < 3) {
            *maybe = n < 2 || b1 == 3;
            return TW_PROBE_NONE;
        }
        if (b1 == 3 && b2 <= 4)
            return TW_PROBE_TLS;
    }
    if (b0 & 0x80) { /* CLIENT-HELLO: version next; SERVER-HELLO (4): 2 bytes, then version */
        size_t need = b2 == 4 ? 7 : 5;
        if (n < need) {
            *maybe = n < 3 || b2 == 1 || b2 == 4;
            return TW_PROBE_NONE;
        }
        if (b2 == 4)
            tw_rd_skip(&r, 2); /* session_id_hit, certificate_type */
        uint16_t ver = tw_rd_u16(&r);
        if ((b2 == 1 && (ver == 0x0002 || (ver >> 8) == 3)) || (b2 == 4 && ver == 0x0002))
            return TW_PROBE_SSLV2;
    }
    return TW_PROBE_NONE;
}

enum tw_probe_kind tw_tls_probe_kind(const uint8_t *p, size_t n)
{
    if (n == 0)
        return TW_PROBE_NONE;
    bool pending = false, maybe;
    enum tw_probe_kind k = tls_or_v2(p, n, &maybe);
    if (k != TW_PROBE_NONE)
        return k;
    pending |= maybe;
    for (size_t i = 0; i < sizeof http_methods / sizeof http_methods[0]; i++) {
        int s = starts(p, n, http_methods[i]);
        if (s == 1)
            return TW_PROBE_HTTP_REQUEST;
        pending |= s < 0;
    }
    int s = starts(p, n, "HTTP/");
    if (s == 1)
        return TW_PROBE_HTTP_RESPONSE;
    pending |= s < 0;
    s = starts(p, n, "SSH-");
    if (s == 1)
        return TW_PROBE_SSH;
    pending |= s < 0;
    return pending ? TW_PROBE_NONE : TW_PROBE_OTHER;
}
