/* tls_server_hello.c: ServerHello and HelloRetryRequest (RFC 8446 §4.1.3-4, RFC 5246
 * §7.4.1.3), the TLS 1.3 downgrade sentinel (RFC 8446 §4.1.3) and the server's extensions. */
#include "tls_int.h"

#include <string.h>

/* SHA-256("HelloRetryRequest"), the random of every HelloRetryRequest. */
static const uint8_t hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};
/* The last 8 bytes of ServerHello.random when a TLS 1.3 server negotiates 1.2 or below. */
static const uint8_t downgrade_12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
static const uint8_t downgrade_11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

static void server_ext(uint16_t type, struct tw_rd *b, void *ctx)
{
    struct tw_server_hello *sh = ctx;
    TW_LIST_PUSH(sh->extensions, type);
    switch (type) {
    case 16: { /* ALPN: protocol_name_list holding exactly one ProtocolName */
        struct tw_rd list = tw_rd_vec(b, 2);
        tw_rd_end(b);
        struct tw_rd name = tw_rd_vec(&list, 1);
        tw_rd_end(&list);
        size_t n = tw_rd_left(&name);
        if (tw_rd_ok(b) && n == 0)
            tw_rd_fail(b, TW_E_MALFORMED, "empty ALPN protocol name");
        size_t keep = n < sizeof sh->alpn - 1 ? n : sizeof sh->alpn - 1;
        const uint8_t *p = tw_rd_take(&name, keep);
        if (p) {
            memcpy(sh->alpn, p, keep);
            sh->alpn[keep] = '\0';
        }
        break;
    }
    case 23: /* extended_master_secret */
        sh->has_ems = true;
        tw_rd_end(b);
        break;
    case 43: /* supported_versions: ProtocolVersion selected_version */
        sh->version = tw_rd_u16(b);
        tw_rd_end(b);
        break;
    case 51: /* key_share: ServerHello KeyShareEntry {group, key_exchange}; HRR NamedGroup */
        sh->key_share_group = tw_rd_u16(b);
        if (!sh->is_hrr) {
            struct tw_rd key = tw_rd_vec(b, 2);
            if (tw_rd_ok(b) && tw_rd_left(&key) == 0)
                tw_rd_fail(b, TW_E_MALFORMED, "empty key_exchange");
        }
        tw_rd_end(b);
        break;
    case 0xff01: /* renegotiation_info */
        sh->has_reneg_info = true;
        tw_rd_vec(b, 1);
        tw_rd_end(b);
        break;
    default:
        break;
    }
}

/* struct {
 *     ProtocolVersion legacy_version;              uint16
 *     Random random;                               opaque[32]
 *     opaque legacy_session_id_echo<0..32>;
 *     CipherSuite cipher_suite;                    uint16
 *     uint8 legacy_compression_method;
 *     Extension extensions<6..2^16-1>;            (RFC 5246: <0..2^16-1>, may be absent)
 * } ServerHello;
 * TLS 1.3 servers send 0x0303 in legacy_version: the negotiated version is in
 * supported_versions. A HelloRetryRequest is a ServerHello with the special random. */
int tw_tls_server_hello(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    static const struct tw_server_hello zero;
    struct tw_server_hello sh = zero;
    struct tw_rd_err inner = {.code = TW_OK};
    sh.present = true;
    sh.frame = msg->last_frame;
    sh.ts_us = msg->ts_us;
    sh.legacy_version = tw_rd_u16(m);
    const uint8_t *random = tw_rd_take(m, 32);
    if (random) {
        memcpy(sh.random, random, 32);
        sh.is_hrr = memcmp(random, hrr_random, 32) == 0;
        if (memcmp(random + 24, downgrade_12, 8) == 0)
            sh.downgrade = 12;
        else if (memcmp(random + 24, downgrade_11, 8) == 0)
            sh.downgrade = 11;
    }
    /* TLS 1.3 drafts before 22 put their version here and have neither session id nor
     * compression (draft-ietf-tls-tls13-21 §4.1.3). */
    bool draft = (sh.legacy_version >> 8) == 0x7f;
    if (!draft) {
        struct tw_rd sid = tw_rd_vec(m, 1);
        if (tw_rd_left(&sid) > 32)
            tw_rd_fail(&sid, TW_E_MALFORMED, "session_id longer than 32");
    }
    sh.cipher_suite = tw_rd_u16(m);
    if (!draft)
        sh.compression = tw_rd_u8(m);
    if (tw_rd_left(m) > 0)
        tw_tls_ext_walk(tw_rd_vec(m, 2), server_ext, &sh, &inner);
    tw_rd_end(m);
    if (sh.version == 0)
        sh.version = sh.legacy_version;
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "server_hello", m->err);
    struct tw_ev_tls *x = ev->tls;
    if (sh.is_hrr) {
        if (!x->hrr.present)
            x->hrr = sh;
    } else if (!x->sh.present) {
        x->sh = sh;
    }
    if (inner.code != TW_OK)
        return tw_tls_ev_malformed(ev, msg, "server_hello extension", &inner);
    return TW_OK;
}
