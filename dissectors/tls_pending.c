/* tls_pending.c: records waiting for a followed key log (live capture, --keylog on -i). The
 * client writes a secret when it derives it, which is about when its peer's first encrypted
 * record reaches us: looked up at once, the secret is often not there yet. So such a record
 * waits, with every record after it in both directions (their order matters to the framing
 * and to the close-time rules), until the secrets appear, TW_TLS_PENDING_MAX bytes wait, a
 * hole, or the end; then they are framed in arrival order. Files never wait: their key log is
 * whole before the first packet. */
#include <stdlib.h>
#include <string.h>

#include "tls_conn.h"

struct item {
    struct item *next;
    uint64_t rec_frame, frame;
    int64_t ts_us;
    uint32_t len;
    uint16_t ver;
    uint8_t dir, ct, hdr[5];
    bool dec;      /* kept to be decrypted (else plaintext, or ciphertext without a body) */
    bool has_body;
    uint8_t body[];
};

struct tw_tls_pending {
    struct item *head, *tail;
    size_t bytes;
};

bool tw_tls_pending_active(const struct tw_tls_conn *t)
{
    return t->pend && t->pend->head;
}

/* The framing state of one side that a replay overwrites. */
struct saved {
    uint8_t ct, hdr[5], hdr_len;
    uint16_t ver;
    uint32_t len, got;
    uint64_t rec_frame;
    bool in_body, keep, dec_rec;
};

static struct saved save(const struct tw_tls_side *s)
{
    struct saved v = {.ct = s->ct, .hdr_len = s->hdr_len, .ver = s->ver, .len = s->len,
                      .got = s->got, .rec_frame = s->rec_frame, .in_body = s->in_body,
                      .keep = s->keep, .dec_rec = s->dec_rec};
    memcpy(v.hdr, s->hdr, 5);
    return v;
}

static void restore(struct tw_tls_side *s, const struct saved *v)
{
    s->ct = v->ct;
    s->hdr_len = v->hdr_len;
    s->ver = v->ver;
    s->len = v->len;
    s->got = v->got;
    s->rec_frame = v->rec_frame;
    s->in_body = v->in_body;
    s->keep = v->keep;
    s->dec_rec = v->dec_rec;
    memcpy(s->hdr, v->hdr, 5);
}

void tw_tls_pending_flush(struct tw_tls_conn *t, struct tw_evidence *ev, bool final)
{
    if (!tw_tls_pending_active(t) || t->replaying)
        return;
    struct tw_tls_pending *p = t->pend;
    struct saved live[2] = {save(&t->s[0]), save(&t->s[1])};
    t->replaying = true;
    while (p->head) {
        struct item *it = p->head;
        struct tw_tls_side *s = &t->s[it->dir];
        if (it->dec && s->dec.state == TW_DEC_WAIT) {
            tw_tls_dec_retry(t, ev, (enum tw_dir)it->dir, final);
            if (s->dec.state == TW_DEC_WAIT)
                break; /* its secret is still not written: it and what follows wait */
        }
        p->head = it->next;
        if (!p->head)
            p->tail = NULL;
        p->bytes -= it->len;
        s->ct = it->ct;
        s->ver = it->ver;
        s->len = it->len;
        s->rec_frame = it->rec_frame;
        memcpy(s->hdr, it->hdr, 5);
        s->dec_rec = it->dec && s->dec.state == TW_DEC_ON;
        const uint8_t *body = it->has_body && (!it->dec || s->dec_rec) ? it->body : NULL;
        (void)tw_tls_record(t, ev, (enum tw_dir)it->dir, body, it->frame, it->ts_us);
        free(it);
    }
    t->replaying = false;
    restore(&t->s[0], &live[0]);
    restore(&t->s[1], &live[1]);
}

bool tw_tls_pending_take(struct tw_tls_conn *t, struct tw_evidence *ev, enum tw_dir d,
                         const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    struct tw_tls_side *s = &t->s[d];
    if (t->replaying || !tw_keylog_following(t->keys))
        return false;
    if (!(s->dec_rec && s->dec.state == TW_DEC_WAIT) && !tw_tls_pending_active(t))
        return false;
    if (!t->pend && !(t->pend = calloc(1, sizeof *t->pend)))
        return false;
    size_t n = body ? s->len : 0;
    struct item *it = malloc(sizeof *it + (n ? n : 1));
    if (!it)
        return false; /* out of memory: framed now, out of order at worst */
    *it = (struct item){.rec_frame = s->rec_frame, .frame = frame, .ts_us = ts_us, .len = s->len,
                        .ver = s->ver, .dir = (uint8_t)d, .ct = s->ct, .dec = s->dec_rec,
                        .has_body = body != NULL};
    memcpy(it->hdr, s->hdr, 5);
    if (n)
        memcpy(it->body, body, n);
    s->dec_rec = false;
    if (t->pend->tail)
        t->pend->tail->next = it;
    else
        t->pend->head = it;
    t->pend->tail = it;
    t->pend->bytes += it->len;
    tw_tls_pending_flush(t, ev, t->pend->bytes > TW_TLS_PENDING_MAX);
    return true;
}

void tw_tls_pending_free(struct tw_tls_conn *t)
{
    if (!t->pend)
        return;
    for (struct item *it = t->pend->head, *n; it; it = n) {
        n = it->next;
        free(it);
    }
    free(t->pend);
    t->pend = NULL;
}
