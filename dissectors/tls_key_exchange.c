/* tls_key_exchange.c: ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4), ServerHelloDone
 * (RFC 5246 §7.4.5) and ClientKeyExchange (RFC 5246 §7.4.7). */
#include "tls_int.h"

#include <string.h>

/* Bits in a big-endian unsigned integer (leading zero bits not counted). */
static uint16_t bits_of(struct tw_rd *p)
{
    size_t n = tw_rd_left(p);
    while (n > 0) {
        uint8_t b = tw_rd_u8(p);
        n--;
        if (b == 0)
            continue;
        uint16_t bits = (uint16_t)(n * 8);
        while (b) {
            bits++;
            b >>= 1;
        }
        return bits;
    }
    return 0;
}

/* The key exchange is implied by the chosen cipher suite, so its name decides the layout. */
static bool suite_has(const struct tw_evidence *ev, const char *kx)
{
    const char *name = tw_tls_suite_name(ev->tls->sh.cipher_suite);
    return name && strstr(name, kx) != NULL;
}

/* ECDHE:  struct { ECCurveType curve_type;  uint8, named_curve(3)
 *                  NamedCurve namedcurve;    uint16
 *                  opaque point <1..2^8-1>; } ServerECDHParams;  then a signature
 * DHE:    struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>;
 *                  opaque dh_Ys<1..2^16-1>; } ServerDHParams;   then a signature
 * then, unless anonymous: TLS 1.2: SignatureAndHashAlgorithm algorithm (uint16);
 *                         all versions: opaque signature<0..2^16-1>.
 * Other exchanges (PSK hints, RSA export) are only recorded by frame. */
int tw_tls_server_key_exchange(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    uint16_t group = 0, dh_bits = 0, sig_alg = 0;
    bool tls12 = ev->tls->sh.present && ev->tls->sh.version == 0x0303;
    bool known = true;
    if (suite_has(ev, "_ECDHE_") || suite_has(ev, "_ECDH_anon_")) {
        uint8_t curve_type = tw_rd_u8(m);
        if (tw_rd_ok(m) && curve_type != 3)
            tw_rd_fail(m, TW_E_MALFORMED, "curve_type not named_curve(3)");
        group = tw_rd_u16(m);
        struct tw_rd point = tw_rd_vec(m, 1);
        if (tw_rd_ok(m) && tw_rd_left(&point) == 0)
            tw_rd_fail(m, TW_E_MALFORMED, "empty ECDH point");
    } else if (suite_has(ev, "_DHE_") || suite_has(ev, "_DH_anon_")) {
        struct tw_rd p = tw_rd_vec(m, 2);
        dh_bits = bits_of(&p);
        for (int i = 0; i < 2; i++) { /* dh_g, dh_Ys */
            struct tw_rd v = tw_rd_vec(m, 2);
            if (tw_rd_ok(m) && tw_rd_left(&v) == 0)
                tw_rd_fail(m, TW_E_MALFORMED, "empty DH parameter");
        }
        if (tw_rd_ok(m) && dh_bits == 0)
            tw_rd_fail(m, TW_E_MALFORMED, "empty dh_p");
    } else {
        tw_rd_skip(m, tw_rd_left(m));
        known = false;
    }
    if (known && !suite_has(ev, "_anon_")) { /* TLS <= 1.1: no algorithm, just the vector */
        if (tls12)
            sig_alg = tw_rd_u16(m);
        tw_rd_vec(m, 2);
    }
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "server_key_exchange", m->err);
    if (ev->tls->server_kx_frame == 0) {
        ev->tls->server_kx_frame = msg->last_frame;
        ev->tls->server_kx_group = group;
        ev->tls->server_kx_dh_bits = dh_bits;
        ev->tls->server_kx_sig_alg = sig_alg;
    }
    return TW_OK;
}

/* struct { } ServerHelloDone; */
int tw_tls_server_hello_done(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "server_hello_done", m->err);
    if (ev->tls->server_hello_done_frame == 0)
        ev->tls->server_hello_done_frame = msg->last_frame;
    return TW_OK;
}

/* struct { select (KeyExchangeAlgorithm) { case rsa: EncryptedPreMasterSecret;
 *     case dhe_*: ClientDiffieHellmanPublic; case ec_diffie_hellman: ClientECDiffieHellmanPublic;
 * } exchange_keys; } ClientKeyExchange;   opaque to us: only its presence matters. */
int tw_tls_client_key_exchange(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    if (tw_rd_left(m) == 0)
        tw_rd_fail(m, TW_E_MALFORMED, "empty ClientKeyExchange");
    tw_rd_skip(m, tw_rd_left(m));
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "client_key_exchange", m->err);
    if (ev->tls->client_kx_frame == 0)
        ev->tls->client_kx_frame = msg->last_frame;
    return TW_OK;
}
