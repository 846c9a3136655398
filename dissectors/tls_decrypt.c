/* tls_decrypt.c: records of a connection decrypted with key log secrets, fed to the same
 * framers and dissectors as plaintext. TLS 1.3 (RFC 8446 §7.3): each side's handshake records
 * use its *_HANDSHAKE_TRAFFIC_SECRET until its Finished, then *_TRAFFIC_SECRET_0; either side
 * is decrypted with its own secrets alone (a failing client often logs only the server's).
 * TLS 1.2 (RFC 5246 §6.3): CLIENT_RANDOM's master secret gives both sides' keys, used after
 * each side's ChangeCipherSpec. A direction without the secret it needs, or whose record
 * fails to authenticate, goes on as ciphertext (classified as without keys). */
#include <stdlib.h>
#include <string.h>

#include "tls_conn.h"

static uint8_t secrets_of(struct tw_keylog *keys, const uint8_t cr[32])
{
    uint8_t m = 0;
    const uint8_t *sec;
    size_t len;
    for (int i = 0; i < TW_SEC_COUNT; i++)
        if (tw_keylog_get(keys, cr, (enum tw_secret)i, &sec, &len))
            m |= (uint8_t)(1u << i);
    return m;
}

/* TLS 1.3 keys of direction d for epoch 0 (handshake) or 1 (application). */
static bool keys13(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, int epoch)
{
    static const enum tw_secret which[2][2] = {{TW_SEC_CLIENT_HS, TW_SEC_SERVER_HS},
                                               {TW_SEC_CLIENT_AP, TW_SEC_SERVER_AP}};
    struct tw_tls_dec_side *ds = &t->s[d].dec;
    const struct tw_tls_aead *a = tw_tls_aead_of(ev->tls->sh.cipher_suite);
    const uint8_t *sec;
    size_t len;
    if (!tw_keylog_get(t->keys, ev->tls->ch.random, which[epoch][d], &sec, &len))
        return false;
    if (tw_tls13_traffic_keys(a, sec, len, &ds->k) != TW_OK)
        return false;
    ds->epoch = (uint8_t)epoch;
    return true;
}

static void setup(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d)
{
    struct tw_ev_tls *x = ev->tls;
    struct tw_tls_dec_side *ds = &t->s[d].dec;
    ds->state = TW_DEC_OFF;
    if (!x->ch.present || !x->sh.present)
        return;
    x->dec.secrets = secrets_of(t->keys, x->ch.random);
    const struct tw_tls_aead *a = tw_tls_aead_of(x->sh.cipher_suite);
    if (!a || a->tls13 != t->tls13) {
        x->dec.unsupported = "the cipher suite is not one tlswhy decrypts (AES-GCM or "
                             "ChaCha20-Poly1305)";
        return;
    }
    const uint8_t *sec;
    size_t len;
    bool ok;
    if (t->tls13)
        ok = keys13(t, ev, d, 0);
    else
        ok = tw_keylog_get(t->keys, x->ch.random, TW_SEC_CLIENT_RANDOM, &sec, &len) &&
             tw_tls12_keys(a, sec, len, x->ch.random, x->sh.random, d == TW_DIR_C2S, &ds->k) ==
                 TW_OK;
    if (ok)
        ds->state = TW_DEC_ON;
    else if (tw_keylog_following(t->keys))
        ds->state = TW_DEC_WAIT; /* the client may not have written it yet */
}

void tw_tls_dec_retry(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, bool final)
{
    struct tw_tls_dec_side *ds = &t->s[d].dec;
    if (ds->state != TW_DEC_WAIT)
        return;
    if (ds->epoch == 1)
        ds->state = keys13(t, ev, d, 1) ? TW_DEC_ON : TW_DEC_WAIT;
    else
        setup(t, ev, d);
    if (final && ds->state == TW_DEC_WAIT)
        ds->state = TW_DEC_OFF;
}

bool tw_tls_dec_wants(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d)
{
    struct tw_tls_side *s = &t->s[d];
    if (!t->keys || !s->encrypted)
        return false;
    if (t->tls13 ? s->ct != TW_CT_APPLICATION_DATA
                 : (s->ct < TW_CT_ALERT || s->ct > TW_CT_APPLICATION_DATA))
        return false;
    if (s->dec.state == TW_DEC_UNTRIED)
        setup(t, ev, d);
    /* while records wait for a followed key log, every encrypted one is kept to be replayed */
    return s->dec.state == TW_DEC_ON || s->dec.state == TW_DEC_WAIT ||
           (tw_tls_pending_active(t) && !t->replaying);
}

static void fail(struct tw_evidence *ev, struct tw_tls_side *s, enum tw_dir d, uint64_t frame)
{
    struct tw_decryption *dc = &ev->tls->dec;
    s->dec.state = TW_DEC_OFF;
    if (dc->failed_frame == 0) {
        dc->failed_frame = frame;
        dc->failed_dir = (uint8_t)d;
    }
}

/* The decrypted content of one record, of content type ct. */
static void deliver(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d, uint8_t ct,
                    size_t n, uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    switch (ct) {
    case TW_CT_HANDSHAKE: {
        uint32_t fin = s->hs.finished;
        s->hs.decrypted = true;
        ev->tls->d[d].enc_hs_records++;
        (void)tw_tls_hs_feed(&s->hs, ev, t->lim, d, t->pt, n, s->ver, s->rec_frame, frame, ts_us);
        /* TLS 1.3: the side's Finished ends its handshake keys (RFC 8446 §7.2) */
        if (t->tls13 && s->hs.finished != fin && s->dec.epoch == 0 && !keys13(t, ev, d, 1)) {
            s->dec.epoch = 1;
            s->dec.state = tw_keylog_following(t->keys) ? TW_DEC_WAIT : TW_DEC_OFF;
        }
        break;
    }
    case TW_CT_ALERT: {
        struct tw_msg msg = {.dir = d,
                             .content_type = TW_CT_ALERT,
                             .record_version = s->ver,
                             .first_frame = s->rec_frame,
                             .last_frame = frame,
                             .ts_us = ts_us,
                             .len = (uint32_t)n,
                             .decrypted = true,
                             .lim = t->lim};
        (void)tw_tls_dispatch(ev, &msg, t->pt);
        break;
    }
    case TW_CT_APPLICATION_DATA: {
        struct tw_ev_tls *x = ev->tls;
        uint16_t first = x->step_count;
        tw_tls_app_data(t, ev, d, frame, ts_us, (uint32_t)n);
        if (first < x->step_count && first < TW_MAX_STEPS)
            x->steps_decrypted |= 1ull << first;
        break;
    }
    default:
        tw_tls_ev_bad(ev, d, frame, ts_us, "record", "decrypted record of unknown content type",
                      0);
        break;
    }
}

bool tw_tls_dec_record(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                       const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    if (s->dec.state != TW_DEC_ON)
        return false;
    if (!t->pt && !(t->pt = malloc(TW_TLS_REC_MAX)))
        return false;
    size_t n = 0;
    if (tw_tls_open_record(&s->dec.k, s->hdr, body, s->len, t->pt, &n) != TW_OK) {
        fail(ev, s, d, frame);
        return false;
    }
    ev->tls->dec.records[d]++;
    uint8_t ct = s->ct;
    if (t->tls13) {
        /* TLSInnerPlaintext: content, ContentType type, zeros */
        while (n > 0 && t->pt[n - 1] == 0)
            n--;
        if (n == 0) {
            tw_tls_ev_bad(ev, d, frame, ts_us, "record", "decrypted record has no content type",
                          0);
            return true;
        }
        ct = t->pt[--n];
        if (s->enc13++ == 0)
            s->enc13_frame = frame;
    }
    deliver(t, ev, d, ct, n, frame, ts_us);
    return true;
}

void tw_tls_dec_gap(struct tw_tls_conn *t, enum tw_dir d)
{
    if (t->s[d].dec.state == TW_DEC_ON || t->s[d].dec.state == TW_DEC_WAIT)
        t->s[d].dec.state = TW_DEC_OFF;
}

void tw_tls_dec_end(struct tw_tls_conn *t, struct tw_evidence *ev)
{
    struct tw_ev_tls *x = ev->tls;
    x->dec.keylog = t->keys != NULL;
    if (t->keys && x->ch.present)
        x->dec.secrets = secrets_of(t->keys, x->ch.random);
}
