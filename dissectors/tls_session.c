/* tls_session.c: Finished (RFC 8446 §4.4.4, RFC 5246 §7.4.9), NewSessionTicket (RFC 5077 §3.3,
 * RFC 8446 §4.6.1), EncryptedExtensions (RFC 8446 §4.3.1) and HelloRequest (RFC 5246 §7.4.1.1).
 * In TLS 1.3 all but HelloRequest are only visible once decrypted. */
#include "tls_int.h"

static bool is13(const struct tw_evidence *ev)
{
    return ev->tls->sh.present && tw_tls_is_13(ev->tls->sh.version);
}

/* struct { opaque verify_data[verify_data_length]; } Finished;   12 bytes in TLS <= 1.2
 * (36 in SSLv3), the hash length (32 or 48) in TLS 1.3. */
int tw_tls_finished(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    size_t n = tw_rd_left(m);
    if (n != 12 && n != 36 && n != 32 && n != 48)
        tw_rd_fail(m, TW_E_MALFORMED, "verify_data not 12, 32, 36 or 48 bytes");
    tw_rd_skip(m, n);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "finished", m->err);
    struct tw_dir_tls *dt = &ev->tls->d[msg->dir];
    if (dt->finished_frame == 0)
        dt->finished_frame = msg->last_frame;
    return TW_OK;
}

/* TLS 1.2: struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; }
 * TLS 1.3: struct { uint32 ticket_lifetime; uint32 ticket_age_add;
 *                   opaque ticket_nonce<0..255>; opaque ticket<1..2^16-1>;
 *                   Extension extensions<0..2^16-2>; } NewSessionTicket; */
int tw_tls_new_session_ticket(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    tw_rd_u32(m);
    if (is13(ev)) {
        tw_rd_u32(m);
        tw_rd_vec(m, 1);
        struct tw_rd ticket = tw_rd_vec(m, 2);
        if (tw_rd_ok(m) && tw_rd_left(&ticket) == 0)
            tw_rd_fail(m, TW_E_MALFORMED, "empty ticket");
        tw_rd_vec(m, 2);
    } else {
        tw_rd_vec(m, 2);
    }
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "new_session_ticket", m->err);
    if (ev->tls->new_session_ticket_frame == 0)
        ev->tls->new_session_ticket_frame = msg->last_frame;
    return TW_OK;
}

static void ee_ext(uint16_t type, struct tw_rd *b, void *ctx)
{
    (void)b;
    struct tw_server_hello *sh = ctx;
    TW_LIST_PUSH(sh->extensions, type);
}

/* struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;
 * Its extension types are appended to the ServerHello's list. */
int tw_tls_encrypted_extensions(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    static const struct tw_server_hello zero;
    struct tw_server_hello tmp = zero;
    struct tw_rd_err inner = {.code = TW_OK};
    tw_tls_ext_walk(tw_rd_vec(m, 2), ee_ext, &tmp, &inner);
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "encrypted_extensions", m->err);
    if (ev->tls->encrypted_extensions_frame == 0) {
        ev->tls->encrypted_extensions_frame = msg->last_frame;
        for (size_t i = 0; i < tmp.extensions.n; i++)
            TW_LIST_PUSH(ev->tls->sh.extensions, tmp.extensions.v[i]);
    }
    return TW_OK;
}

/* struct { } HelloRequest; */
int tw_tls_hello_request(struct tw_rd *m, const struct tw_msg *msg, struct tw_evidence *ev)
{
    tw_rd_end(m);
    if (!tw_rd_ok(m))
        return tw_tls_ev_malformed(ev, msg, "hello_request", m->err);
    if (ev->tls->hello_request_frame == 0)
        ev->tls->hello_request_frame = msg->last_frame;
    return TW_OK;
}
