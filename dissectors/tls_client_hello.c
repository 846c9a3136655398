/* tls_client_hello.c: ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) with its extensions
 * (RFC 6066, 7301, 8446 §4.2, 7627, 5746, 5077, 8422), and the SSLv2-compatible ClientHello
 * (RFC 5246 §E.2). */
#include "tls_int.h"

#include <string.h>

/* Copies a <1|2>-byte-length list of uint16 or uint8 values into a TW_LIST. */
#define READ_LIST16(r, list)                                                                       \
    do {                                                                                           \
        while (tw_rd_left(r) >= 2)                                                                 \
            TW_LIST_PUSH(list, tw_rd_u16(r));                                                      \
        tw_rd_end(r);                                                                              \
    } while (0)
#define READ_LIST8(r, list)                                                                        \
    do {                                                                                           \
        while (tw_rd_left(r) > 0)                                                                  \
            TW_LIST_PUSH(list, tw_rd_u8(r));                                                       \
    } while (0)

/* struct { NameType name_type; opaque HostName<1..2^16-1>; } ServerName;   (0 = host_name)
 * struct { ServerName server_name_list<1..2^16-1>; } ServerNameList; */
static void parse_sni(struct tw_rd *b, struct tw_client_hello *ch)
{
    struct tw_rd list = tw_rd_vec(b, 2);
    tw_rd_end(b);
    if (tw_rd_left(&list) == 0)
        tw_rd_fail(&list, TW_E_MALFORMED, "empty server_name_list");
    while (tw_rd_left(&list) > 0) {
        uint8_t type = tw_rd_u8(&list);
        struct tw_rd name = tw_rd_vec(&list, 2);
        size_t n = tw_rd_left(&name);
        if (type != 0 || ch->has_sni || !tw_rd_ok(&list))
            continue;
        if (n == 0) {
            tw_rd_fail(&name, TW_E_MALFORMED, "empty host_name");
            return;
        }
        size_t keep = n < TW_SNI_MAX ? n : TW_SNI_MAX; /* longer names are kept truncated */
        memcpy(ch->sni, tw_rd_take(&name, keep), keep);
        ch->sni[keep] = '\0';
        ch->sni_len = (uint16_t)keep;
        ch->has_sni = true;
    }
}

/* opaque ProtocolName<1..2^8-1>; struct { ProtocolName protocol_name_list<2..2^16-1> } */
static void parse_alpn(struct tw_rd *b, struct tw_client_hello *ch)
{
    struct tw_rd list = tw_rd_vec(b, 2);
    tw_rd_end(b);
    size_t n = tw_rd_left(&list);
    if (n < 2)
        tw_rd_fail(&list, TW_E_MALFORMED, "ALPN list shorter than 2");
    struct tw_rd walk = list;
    size_t count = 0;
    while (tw_rd_left(&walk) > 0) {
        struct tw_rd name = tw_rd_vec(&walk, 1);
        if (tw_rd_ok(&walk) && tw_rd_left(&name) == 0)
            tw_rd_fail(&walk, TW_E_MALFORMED, "empty ALPN protocol name");
        count++;
    }
    if (!tw_rd_ok(&walk))
        return;
    size_t keep = n < TW_ALPN_MAX ? n : TW_ALPN_MAX;
    memcpy(ch->alpn, tw_rd_take(&list, keep), keep);
    ch->alpn_len = (uint16_t)keep;
    ch->alpn_count = count > 255 ? 255 : (uint8_t)count;
}

/* struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
 * struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello; */
static void parse_key_share(struct tw_rd *b, struct tw_client_hello *ch)
{
    struct tw_rd list = tw_rd_vec(b, 2);
    tw_rd_end(b);
    while (tw_rd_left(&list) > 0) {
        uint16_t group = tw_rd_u16(&list);
        struct tw_rd key = tw_rd_vec(&list, 2);
        if (tw_rd_ok(&list) && tw_rd_left(&key) == 0)
            tw_rd_fail(&list, TW_E_MALFORMED, "empty key_exchange");
        if (tw_rd_ok(&list))
            TW_LIST_PUSH(ch->key_share_groups, group);
    }
}

static void client_ext(uint16_t type, struct tw_rd *b, void *ctx)
{
    struct tw_client_hello *ch = ctx;
    struct tw_rd v;
    TW_LIST_PUSH(ch->extensions, type);
    switch (type) {
    case 0: /* server_name; empty in ServerHello-like echoes, never in a ClientHello */
        parse_sni(b, ch);
        break;
    case 5: /* status_request: CertificateStatusType + OCSPStatusRequest, not needed */
        ch->has_status_request = true;
        break;
    case 10: /* supported_groups: NamedGroup named_group_list<2..2^16-1> */
    case 13: /* signature_algorithms: SignatureScheme supported_signature_algorithms<2..2^16-2> */
        v = tw_rd_vec(b, 2);
        tw_rd_end(b);
        if (type == 10)
            READ_LIST16(&v, ch->groups);
        else
            READ_LIST16(&v, ch->sig_algs);
        break;
    case 11: /* ec_point_formats: ECPointFormat ec_point_format_list<1..2^8-1> */
        v = tw_rd_vec(b, 1);
        tw_rd_end(b);
        READ_LIST8(&v, ch->ec_point_formats);
        break;
    case 16: /* application_layer_protocol_negotiation */
        parse_alpn(b, ch);
        break;
    case 23: /* extended_master_secret: empty */
        ch->has_ems = true;
        tw_rd_end(b);
        break;
    case 35: /* session_ticket: the ticket, possibly empty */
        ch->has_session_ticket = true;
        break;
    case 41: /* pre_shared_key: identities and binders, not needed */
        ch->has_psk = true;
        break;
    case 42:
        ch->has_early_data = true;
        break;
    case 43: /* supported_versions: ProtocolVersion versions<2..254> */
        v = tw_rd_vec(b, 1);
        tw_rd_end(b);
        READ_LIST16(&v, ch->versions);
        break;
    case 45: /* psk_key_exchange_modes: PskKeyExchangeMode ke_modes<1..255> */
        v = tw_rd_vec(b, 1);
        tw_rd_end(b);
        READ_LIST8(&v, ch->psk_modes);
        break;
    case 49:
        ch->has_post_handshake_auth = true;
        break;
    case 51: /* key_share */
        parse_key_share(b, ch);
        break;
    case 0xfe0d: /* encrypted_client_hello */
        ch->has_ech = true;
        break;
    case 0xff01: /* renegotiation_info: opaque renegotiated_connection<0..255> */
        ch->has_reneg_info = true;
        tw_rd_vec(b, 1);
        tw_rd_end(b);
        break;
    default:
        break;
    }
}

static void commit(struct tw_evidence *ev, const struct tw_client_hello *ch)
{
    struct tw_ev_tls *x = ev->tls;
    if (!x->ch.present)
        x->ch = *ch;
    else if (!x->ch2.present)
        x->ch2 = *ch; /* after a HelloRetryRequest (or a renegotiation) */
}

/* struct {
 *     ProtocolVersion legacy_version;              uint16
 *     Random random;                               opaque[32]
 *     opaque legacy_session_id<0..32>;
 *     CipherSuite cipher_suites<2..2^16-2>;
 *     opaque legacy_compression_methods<1..2^8-1>;
 *     Extension extensions<8..2^16-1>;            (RFC 5246: <0..2^16-1>, may be absent)
 * } ClientHello; */
int tw_tls_client_hello(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    static const struct tw_client_hello zero;
    struct tw_client_hello ch = zero;
    struct tw_rd_err inner = {.code = TW_OK};
    struct tw_rd v;
    ch.present = true;
    ch.frame = msg->last_frame;
    ch.ts_us = msg->ts_us;
    ch.record_version = msg->record_version;
    ch.legacy_version = tw_rd_u16(m);
    const uint8_t *random = tw_rd_take(m, 32);
    if (random)
        memcpy(ch.random, random, 32);
    v = tw_rd_vec(m, 1);
    ch.session_id_len = (uint8_t)tw_rd_left(&v);
    if (tw_rd_left(&v) > 32)
        tw_rd_fail(&v, TW_E_MALFORMED, "session_id longer than 32");
    v = tw_rd_vec(m, 2);
    if (tw_rd_ok(m) && (tw_rd_left(&v) < 2 || tw_rd_left(&v) % 2 != 0))
        tw_rd_fail(&v, TW_E_MALFORMED, "cipher_suites length not even and >= 2");
    READ_LIST16(&v, ch.cipher_suites);
    v = tw_rd_vec(m, 1);
    ch.compression_count = (uint8_t)tw_rd_left(&v);
    if (tw_rd_ok(m) && ch.compression_count == 0)
        tw_rd_fail(&v, TW_E_MALFORMED, "no compression methods");
    if (tw_rd_left(m) > 0)
        tw_tls_ext_walk(tw_rd_vec(m, 2), client_ext, &ch, &inner);
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "client_hello", m->err);
    commit(ev, &ch);
    if (inner.code != TW_OK) /* kept, but the peer may well have refused it */
        return tw_tls_ev_malformed(ev, msg, "client_hello extension", &inner);
    return TW_OK;
}

/* SSLv2-compatible ClientHello (RFC 5246 §E.2), after the 2-byte record header:
 *   uint8 msg_type (1); Version version; uint16 cipher_spec_length; uint16 session_id_length;
 *   uint16 challenge_length; V2CipherSpec cipher_specs[cipher_spec_length] (3 bytes each);
 *   opaque session_id[session_id_length]; opaque challenge[challenge_length];
 * Specs with a zero first byte are TLS cipher suites; the others (SSLv2 kinds) are skipped. */
int tw_tls_client_hello_v2(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    static const struct tw_client_hello zero;
    struct tw_client_hello ch = zero;
    ch.present = true;
    ch.sslv2_format = true;
    ch.frame = msg->last_frame;
    ch.ts_us = msg->ts_us;
    ch.record_version = 0x0002;
    if (tw_rd_u8(m) != 1 && tw_rd_ok(m))
        tw_rd_fail(m, TW_E_MALFORMED, "SSLv2 msg_type not CLIENT-HELLO");
    ch.legacy_version = tw_rd_u16(m);
    uint16_t spec_len = tw_rd_u16(m), sid_len = tw_rd_u16(m), chal_len = tw_rd_u16(m);
    if (tw_rd_ok(m) && (spec_len == 0 || spec_len % 3 != 0))
        tw_rd_fail(m, TW_E_MALFORMED, "cipher_spec_length not a multiple of 3");
    if (tw_rd_ok(m) && sid_len != 0 && sid_len != 16)
        tw_rd_fail(m, TW_E_MALFORMED, "SSLv2 session_id length not 0 or 16");
    if (tw_rd_ok(m) && (chal_len < 16 || chal_len > 32))
        tw_rd_fail(m, TW_E_MALFORMED, "SSLv2 challenge length not 16..32");
    struct tw_rd specs = tw_rd_sub(m, spec_len);
    while (tw_rd_left(&specs) >= 3) {
        uint8_t kind = tw_rd_u8(&specs);
        uint16_t suite = tw_rd_u16(&specs);
        if (kind == 0)
            TW_LIST_PUSH(ch.cipher_suites, suite);
    }
    ch.session_id_len = (uint8_t)(sid_len > 255 ? 255 : sid_len);
    tw_rd_skip(m, sid_len);
    const uint8_t *challenge = tw_rd_take(m, chal_len);
    if (challenge && chal_len <= 32) /* RFC 5246 §E.2: right-aligned in the 32-byte random */
        memcpy(ch.random + 32 - chal_len, challenge, chal_len);
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "client_hello_v2", m->err);
    commit(ev, &ch);
    return TW_OK;
}
