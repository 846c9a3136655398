/* tls_record.c: record-layer framing of both directions (RFC 8446 §5.1, RFC 5246 §6.2, SSLv2
 * header RFC 6101 §E.1), content types, and "encrypted from here on" with the classification of
 * records that cannot be read without keys. The probe (tls_probe.c) decides first whether a
 * direction is TLS at all. */
#include "tlswhy/dissector.h"

#include <stdlib.h>
#include <string.h>

#include "tls_conn.h"

#define REC_MAX TW_TLS_REC_MAX

struct tw_tls_conn *tw_tls_new(const struct tw_limits *lim)
{
    struct tw_tls_conn *t = calloc(1, sizeof *t);
    if (t)
        t->lim = lim;
    return t;
}

void tw_tls_set_keylog(struct tw_tls_conn *t, struct tw_keylog *keys)
{
    if (t)
        t->keys = keys;
}

void tw_tls_free(struct tw_tls_conn *t)
{
    if (!t)
        return;
    free(t->pt);
    tw_tls_pending_free(t);
    for (int d = 0; d < 2; d++) {
        free(t->s[d].buf);
        tw_tls_hs_free(&t->s[d].hs);
    }
    free(t);
}

static int handshake_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                            const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    int rc =
        tw_tls_hs_feed(&s->hs, ev, t->lim, d, body, s->len, s->ver, s->rec_frame, frame, ts_us);
    const struct tw_ev_tls *x = ev->tls;
    if (!t->tls13 && x->sh.present && tw_tls_is_13(x->sh.version)) {
        t->tls13 = true;
        t->s[0].encrypted = t->s[1].encrypted = true;
    }
    return rc;
}

/* The message a whole record carries (CCS, alert, SSLv2 hello): it spans the record. */
static struct tw_msg record_msg(const struct tw_tls_conn *t, enum tw_dir d, uint8_t ct,
                                uint64_t frame, int64_t ts_us)
{
    const struct tw_tls_side *s = &t->s[d];
    struct tw_msg msg = {.dir = d,
                         .content_type = ct,
                         .record_version = s->ver,
                         .first_frame = s->rec_frame,
                         .last_frame = frame,
                         .ts_us = ts_us,
                         .len = s->len,
                         .lim = t->lim};
    return msg;
}

static uint8_t ccs_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                          const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    struct tw_msg msg = record_msg(t, d, TW_CT_CHANGE_CIPHER_SPEC, frame, ts_us);
    (void)tw_tls_dispatch(ev, &msg, body);
    if (!tw_tls_compat_ccs(t, ev, d))
        t->s[d].encrypted = true;
    return TW_RC_OTHER;
}

static uint8_t alert_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                            const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    if (!body) { /* TLS <= 1.2 encrypted alert: content type 21 stays in the clear */
        tw_tls_enc_alert(ev, d, frame, ts_us, t->s[d].len, false);
        return TW_RC_ALERT;
    }
    struct tw_msg msg = record_msg(t, d, TW_CT_ALERT, frame, ts_us);
    (void)tw_tls_dispatch(ev, &msg, body);
    return TW_RC_ALERT;
}

int tw_tls_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                  const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    struct tw_ev_tls *x = ev->tls;
    struct tw_dir_tls *dt = &x->d[d];
    uint8_t cls = TW_RC_OTHER;
    int rc = TW_OK;
    s->in_body = false;
    s->hdr_len = 0;
    if (tw_tls_pending_take(t, ev, d, body, frame, ts_us))
        return TW_OK; /* framed later, in order, once the key log has its secret */
    dt->records++;
    if (s->ver >= 0x0300 && s->ver <= 0x0304 && s->ver > x->version_seen)
        x->version_seen = s->ver;
    bool plaintext_ccs_or_alert =
        s->ct == TW_CT_CHANGE_CIPHER_SPEC || (s->ct == TW_CT_ALERT && body);
    if (s->encrypted && dt->encrypted_from == 0 && !plaintext_ccs_or_alert &&
        !(t->tls13 && s->ct == TW_CT_HANDSHAKE))
        dt->encrypted_from = s->rec_frame;
    if (s->dec_rec) {
        s->dec_rec = false;
        if (tw_tls_dec_record(t, ev, d, body, frame, ts_us)) {
            s->last_frame = frame;
            s->last_ts = ts_us;
            s->last_len = s->len;
            s->last_class = TW_RC_OTHER; /* its content is known: no size heuristics */
            return TW_OK;
        }
        body = NULL; /* not decrypted: ciphertext, as without keys */
    }
    switch (s->ct) {
    case 0: { /* SSLv2-compatible ClientHello */
        struct tw_msg msg = record_msg(t, d, 0, frame, ts_us);
        msg.hs_type = TW_HS_CLIENT_HELLO;
        msg.record_version = 0x0002;
        tw_tls_ev_step(ev, frame, ts_us, d, TW_STEP_HANDSHAKE, TW_HS_CLIENT_HELLO, s->len);
        (void)tw_tls_dispatch(ev, &msg, body);
        s->v2 = false;
        break;
    }
    case TW_CT_CHANGE_CIPHER_SPEC:
        cls = ccs_record(t, ev, d, body, frame, ts_us);
        break;
    case TW_CT_ALERT:
        cls = alert_record(t, ev, d, body, frame, ts_us);
        break;
    case TW_CT_HANDSHAKE:
        if (body) {
            rc = handshake_record(t, ev, d, body, frame, ts_us);
        } else {
            tw_tls_enc_hs(ev, d, frame, ts_us, s->len);
            cls = TW_RC_ENC_HS;
        }
        break;
    case TW_CT_APPLICATION_DATA:
        cls = tw_tls_app_record(t, ev, d, frame, ts_us, s->len);
        break;
    case TW_CT_HEARTBEAT:
        dt->heartbeat_records++;
        break;
    default: /* a record over max_record_buf: counted in records only */
        break;
    }
    s->last_frame = frame;
    s->last_ts = ts_us;
    s->last_len = s->len;
    s->last_class = cls;
    return rc;
}

/* Which bodies are read: plaintext handshake, alerts and CCS. Ciphertext is only counted. */
static bool want_body(const struct tw_tls_conn *t, const struct tw_tls_side *s)
{
    switch (s->ct) {
    case 0:
    case TW_CT_CHANGE_CIPHER_SPEC:
        return true;
    case TW_CT_ALERT:
        return !s->encrypted || s->len == 2; /* an encrypted alert is never 2 bytes long */
    case TW_CT_HANDSHAKE:
        return !s->encrypted || t->tls13;
    default:
        return false;
    }
}

/* TLSPlaintext / TLSCiphertext header:
 *   ContentType type;                  uint8, 20..24
 *   ProtocolVersion legacy_record_version;   {3, 0..4}
 *   uint16 length;                     <= 2^14 + 2048
 * SSLv2 record header (first record only): uint16 0x8000 | length. */
static const char *parse_header(struct tw_tls_side *s)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(s->hdr, s->hdr_len, &e);
    if (s->v2) {
        uint16_t h = tw_rd_u16(&r);
        s->ct = 0;
        s->ver = 0x0002;
        s->len = h & 0x7fffu;
        return (h & 0x8000u) ? NULL : "bad SSLv2 record header";
    }
    s->ct = tw_rd_u8(&r);
    s->ver = tw_rd_u16(&r);
    s->len = tw_rd_u16(&r);
    if (s->ct < TW_CT_CHANGE_CIPHER_SPEC || s->ct > TW_CT_HEARTBEAT)
        return "unknown content type";
    if ((s->ver >> 8) != 3 || (s->ver & 0xff) > 4)
        return "bad record version";
    if (s->len > REC_MAX)
        return "record longer than 2^14+2048";
    return NULL;
}

/* Does a chunk of a plaintext direction start a TLS hello (ClientHello from the client,
 * ServerHello from the server)? That is how STARTTLS, HTTP CONNECT and SOCKS hand over. */
static bool starts_hello(const uint8_t *p, size_t n, enum tw_dir d)
{
    struct tw_tls_side probe = {.hdr_len = 5};
    if (n < 6)
        return false;
    memcpy(probe.hdr, p, 5);
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(p, n, &e);
    tw_rd_skip(&r, 5);
    uint8_t hs = tw_rd_u8(&r);
    return parse_header(&probe) == NULL && probe.ct == TW_CT_HANDSHAKE &&
           hs == (d == TW_DIR_C2S ? TW_HS_CLIENT_HELLO : TW_HS_SERVER_HELLO);
}

/* Could p start a TLS record? Used to resume framing after a gap. */
static bool plausible(const uint8_t *p, size_t n)
{
    struct tw_tls_side probe = {.hdr_len = 5};
    if (n < 5)
        return false;
    memcpy(probe.hdr, p, 5);
    return parse_header(&probe) == NULL;
}

static int reserve(struct tw_tls_side *s, size_t n)
{
    if (n <= s->cap)
        return TW_OK;
    size_t c = s->cap ? s->cap : 2048;
    while (c < n)
        c *= 2;
    uint8_t *b = realloc(s->buf, c);
    if (!b)
        return TW_E_NOMEM;
    s->buf = b;
    s->cap = c;
    return TW_OK;
}

/* A header is complete: validate it and prepare for the body. Returns false after a bad
 * header (recorded; framing waits for a plausible header). */
static bool header_done(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                        uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    const char *why = parse_header(s);
    if (why) {
        tw_tls_ev_bad(ev, d, frame, ts_us, "record", why, 0);
        s->hdr_len = 0;
        s->resync = true;
        return false;
    }
    s->keep = want_body(t, s);
    s->dec_rec = !s->keep && tw_tls_dec_wants(t, ev, d);
    s->keep = s->keep || s->dec_rec;
    if (s->keep && s->len > t->lim->max_record_buf) {
        tw_tls_ev_bad(ev, d, frame, ts_us, "record", "record longer than max_record_buf", 3);
        if (s->dec_rec)
            tw_tls_dec_gap(t, d); /* its sequence number is spent unread */
        s->dec_rec = false;
        s->keep = false;
        s->ct = TW_CT_HEARTBEAT + 1; /* counted, not parsed */
    }
    s->in_body = true;
    s->got = 0;
    return true;
}

/* Cuts records out of in-order bytes; whole records are read straight from p. */
static int frame_bytes(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                       const uint8_t *p, size_t n, uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(p, n, &e);
    if (s->resync) {
        if (!plausible(p, n))
            return TW_OK;
        s->resync = false;
        ev->tls->d[d].resyncs++;
    }
    while (tw_rd_left(&r) > 0 && !s->resync) {
        size_t left = tw_rd_left(&r);
        if (!s->in_body) {
            size_t need = (s->v2 ? 2u : 5u) - s->hdr_len;
            size_t k = left < need ? left : need;
            if (s->hdr_len == 0)
                s->rec_frame = frame;
            memcpy(s->hdr + s->hdr_len, tw_rd_take(&r, k), k);
            s->hdr_len = (uint8_t)(s->hdr_len + k);
            if (k < need || !header_done(t, ev, d, frame, ts_us))
                continue;
            left = tw_rd_left(&r);
            if (s->len == 0 || (s->keep && left >= s->len)) { /* whole: no copy */
                int rc = tw_tls_record(t, ev, d, tw_rd_take(&r, s->len), frame, ts_us);
                if (rc != TW_OK)
                    return rc;
                continue;
            }
        }
        size_t k = s->len - s->got;
        k = left < k ? left : k;
        if (s->keep) {
            if (reserve(s, s->len) != TW_OK)
                return TW_E_NOMEM;
            memcpy(s->buf + s->got, tw_rd_take(&r, k), k);
        } else {
            tw_rd_skip(&r, k);
        }
        s->got += (uint32_t)k;
        if (s->got == s->len) {
            int rc = tw_tls_record(t, ev, d, s->keep ? s->buf : NULL, frame, ts_us);
            if (rc != TW_OK)
                return rc;
        }
    }
    return TW_OK;
}

/* The first bytes of a direction are kept as evidence (up to TW_FIRST_BYTES), whatever they
 * are. Returns how many were kept before this call. */
static size_t keep_first(struct tw_evidence *ev, enum tw_dir d, const uint8_t *data, size_t len,
                         uint64_t frame)
{
    struct tw_probe *pr = &ev->tls->d[d].probe;
    size_t before = pr->len;
    size_t room = TW_FIRST_BYTES - pr->len;
    size_t k = len < room ? len : room;
    if (pr->len == 0)
        pr->frame = frame;
    if (k > 0)
        memcpy(pr->first + pr->len, data, k);
    pr->len = (uint16_t)(pr->len + k);
    return before;
}

/* Classifies the kept first bytes once there are enough. Returns true when they are TLS and
 * the framer should run from now on. */
static bool probe(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    struct tw_probe *pr = &ev->tls->d[d].probe;
    enum tw_probe_kind kind = tw_tls_probe_kind(pr->first, pr->len);
    if (kind == TW_PROBE_NONE && pr->len < TW_FIRST_BYTES)
        return false;
    s->decided = true;
    pr->kind = kind == TW_PROBE_NONE ? TW_PROBE_OTHER : kind;
    if (pr->kind == TW_PROBE_SSLV2 && d == TW_DIR_S2C) {
        /* The server speaks SSLv2 itself: nothing after the hellos is TLS in either direction
         * (the probe kind is the fact); stop framing the client too. */
        struct tw_tls_side *c = &t->s[TW_DIR_C2S];
        c->framing = false;
        c->decided = true;
        tw_tls_ev_step(ev, pr->frame, ts_us, d, TW_STEP_PLAINTEXT, (uint8_t)pr->kind, pr->len);
        return false;
    }
    if (pr->kind == TW_PROBE_TLS || pr->kind == TW_PROBE_SSLV2) {
        s->framing = true;
        s->v2 = pr->kind == TW_PROBE_SSLV2;
        return true;
    }
    if (pr->kind == TW_PROBE_OTHER && ev->tcp && ev->tcp->mid_stream) {
        /* No SYN seen: the capture may have started inside a record. Look for a record
         * boundary at later chunks (d[d].resyncs) instead of calling the bytes plaintext. */
        s->framing = true;
        s->resync = true;
        return false;
    }
    tw_tls_ev_step(ev, pr->frame, ts_us, d, TW_STEP_PLAINTEXT, (uint8_t)pr->kind, pr->len);
    return false;
}

int tw_tls_data(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, const uint8_t *data,
                size_t len, uint64_t frame, int64_t ts_us)
{
    if (!t || !ev || !ev->tls || (d != TW_DIR_C2S && d != TW_DIR_S2C))
        return TW_STREAM_MORE;
    struct tw_tls_side *s = &t->s[d];
    if (s->done)
        return TW_STREAM_DONE;
    if (len == 0)
        return TW_STREAM_MORE;
    s->consumed += len;
    size_t held = s->gap_seen ? 0 : keep_first(ev, d, data, len, frame);
    if (!s->framing && s->decided) {
        if (!starts_hello(data, len, d))
            return TW_STREAM_MORE;
        s->framing = true;
        held = 0;
        ev->tls->d[d].tls_after_plaintext_frame = frame;
    } else if (!s->framing) {
        if (!probe(t, ev, d, ts_us)) {
            /* plaintext in earlier chunks, a hello in this one (PostgreSQL's 'S', SOCKS) */
            if (!s->decided || held == 0 || !starts_hello(data, len, d))
                return TW_STREAM_MORE;
            s->framing = true;
            held = 0;
            ev->tls->d[d].tls_after_plaintext_frame = frame;
        }
        /* bytes of earlier calls were only kept in probe.first: frame them first */
        if (held > 0)
            (void)frame_bytes(t, ev, d, ev->tls->d[d].probe.first, held, ev->tls->d[d].probe.frame,
                              ts_us);
    }
    (void)frame_bytes(t, ev, d, data, len, frame, ts_us);
    if (ev->tls->d[TW_DIR_C2S].app_records > 0 && t->srv_app_after_cli) {
        t->s[0].done = t->s[1].done = true;
        return TW_STREAM_DONE;
    }
    return TW_STREAM_MORE;
}

void tw_tls_gap(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, uint64_t len,
                uint64_t frame, int64_t ts_us)
{
    (void)len;
    (void)ts_us;
    (void)frame;
    if (!t || !ev || !ev->tls || (d != TW_DIR_C2S && d != TW_DIR_S2C))
        return;
    struct tw_tls_side *s = &t->s[d];
    tw_tls_pending_flush(t, ev, true); /* what came before the hole, in order */
    ev->tls->d[d].gaps++;
    s->gap_seen = true;
    if (s->decided && !s->framing)
        return; /* plaintext: only the first bytes matter, and they are kept */
    s->decided = true;
    s->framing = true;
    s->v2 = false;
    s->in_body = false;
    s->hdr_len = 0;
    s->resync = true;
    s->dec_rec = false;
    tw_tls_dec_gap(t, d);
    tw_tls_hs_reset(&s->hs);
}

void tw_tls_end(struct tw_tls_conn *t, struct tw_evidence *ev)
{
    if (!t || !ev || !ev->tls)
        return;
    tw_tls_pending_flush(t, ev, true);
    for (int i = 0; i < 2; i++) {
        enum tw_dir d = (enum tw_dir)i;
        struct tw_tls_side *s = &t->s[d];
        struct tw_dir_tls *dt = &ev->tls->d[d];
        if (!s->decided && dt->probe.len > 0) {
            dt->probe.kind = TW_PROBE_OTHER; /* too few bytes to be anything we know */
            dt->incomplete_bytes += dt->probe.len;
        }
        s->decided = true;
        if (s->framing) {
            dt->incomplete_bytes += s->hdr_len + (s->in_body ? s->got : 0u);
            dt->incomplete_bytes += tw_tls_hs_pending(&s->hs);
        }
        s->in_body = false;
        s->hdr_len = 0;
        tw_tls_hs_reset(&s->hs);
        tw_tls_reclassify_last(t, ev, d);
    }
    tw_tls_dec_end(t, ev);
}
