/* tls_handshake.c: handshake-message framing across records (RFC 8446 §4, RFC 5246 §7.4),
 * capped by lim->max_hs_msg, and dispatch through the registry. */
#include "tls_int.h"

#include <stdlib.h>
#include <string.h>

int tw_tls_dispatch(struct tw_evidence *ev, const struct tw_msg *msg, const uint8_t *body)
{
    struct tw_ev_tls *x = ev->tls;
    uint16_t first = x->step_count;
    int rc = TW_OK;
    if (msg->content_type == TW_CT_HANDSHAKE)
        tw_tls_ev_step(ev, msg->last_frame, msg->ts_us, msg->dir, TW_STEP_HANDSHAKE, msg->hs_type,
                       msg->len);
    const struct tw_dissector *ds = tw_tls_lookup(msg->content_type, msg->hs_type);
    if (ds) {
        struct tw_rd_err e;
        struct tw_rd m = tw_rd_make(body, msg->len, &e);
        rc = ds->fn(&m, msg, ev);
    }
    for (uint16_t i = first; msg->decrypted && i < x->step_count && i < TW_MAX_STEPS; i++)
        x->steps_decrypted |= 1ull << i; /* the ladder says which steps a key log showed */
    return rc;
}

static void deliver(struct tw_tls_hs *h, struct tw_evidence *ev, const struct tw_limits *lim,
                    enum tw_dir d, const uint8_t *body, uint64_t frame, int64_t ts_us)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(h->hdr, sizeof h->hdr, &e);
    struct tw_msg msg = {
        .dir = d,
        .content_type = TW_CT_HANDSHAKE,
        .hs_type = tw_rd_u8(&r),
        .record_version = h->rec_version,
        .first_frame = h->first_frame,
        .last_frame = frame,
        .ts_us = ts_us,
        .len = h->msg_len,
        .decrypted = h->decrypted,
        .lim = lim,
    };
    if (msg.hs_type == TW_HS_FINISHED)
        h->finished++;
    (void)tw_tls_dispatch(ev, &msg, body);
}

/* Grows h->buf to hold n bytes; n is already checked against the cap. */
static int reserve(struct tw_tls_hs *h, size_t n)
{
    if (n <= h->cap)
        return TW_OK;
    size_t c = h->cap ? h->cap : 1024;
    while (c < n)
        c *= 2;
    uint8_t *b = realloc(h->buf, c);
    if (!b)
        return TW_E_NOMEM;
    h->buf = b;
    h->cap = c;
    return TW_OK;
}

/* Handshake header complete: decide between buffering and skipping (over the cap). The
 * 3-byte length is checked against the cap BEFORE anything is reserved. */
static void start_body(struct tw_tls_hs *h, struct tw_evidence *ev, const struct tw_limits *lim,
                       enum tw_dir d, uint64_t frame, int64_t ts_us)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(h->hdr, sizeof h->hdr, &e);
    tw_rd_u8(&r);
    h->msg_len = tw_rd_u24(&r);
    h->got = 0;
    if (h->msg_len > lim->max_hs_msg) {
        tw_tls_ev_bad(ev, d, frame, ts_us, "handshake", "message longer than max_hs_msg", 1);
        h->skip = h->msg_len;
        h->hdr_len = 0;
    }
}

/*   struct {
 *       HandshakeType msg_type;    uint8
 *       uint24 length;
 *       select (msg_type) { ... } body;   length bytes, may span several records
 *   } Handshake; */
int tw_tls_hs_feed(struct tw_tls_hs *h, struct tw_evidence *ev, const struct tw_limits *lim,
                   enum tw_dir d, const uint8_t *p, size_t n, uint16_t rec_version,
                   uint64_t rec_frame, uint64_t frame, int64_t ts_us)
{
    struct tw_rd_err e;
    struct tw_rd r = tw_rd_make(p, n, &e);
    while (tw_rd_left(&r) > 0) {
        size_t left = tw_rd_left(&r);
        if (h->skip > 0) { /* the rest of an over-cap message */
            size_t k = left < h->skip ? left : h->skip;
            tw_rd_skip(&r, k);
            h->skip -= (uint32_t)k;
            continue;
        }
        if (h->hdr_len < sizeof h->hdr) {
            if (h->hdr_len == 0) {
                h->first_frame = rec_frame;
                h->rec_version = rec_version;
            }
            size_t k = sizeof h->hdr - h->hdr_len;
            k = left < k ? left : k;
            memcpy(h->hdr + h->hdr_len, tw_rd_take(&r, k), k);
            h->hdr_len = (uint8_t)(h->hdr_len + k);
            if (h->hdr_len == sizeof h->hdr)
                start_body(h, ev, lim, d, frame, ts_us);
            if (h->hdr_len < sizeof h->hdr || h->skip > 0)
                continue;
            left = tw_rd_left(&r);
            if (h->msg_len == 0 || (h->got == 0 && left >= h->msg_len)) {
                /* whole in this record: no copy */
                deliver(h, ev, lim, d, tw_rd_take(&r, h->msg_len), frame, ts_us);
                h->hdr_len = 0;
                continue;
            }
        }
        size_t want = h->msg_len - h->got;
        size_t k = left < want ? left : want;
        if (reserve(h, h->msg_len) != TW_OK)
            return TW_E_NOMEM;
        memcpy(h->buf + h->got, tw_rd_take(&r, k), k);
        h->got += (uint32_t)k;
        if (h->got == h->msg_len) {
            deliver(h, ev, lim, d, h->buf, frame, ts_us);
            h->hdr_len = 0;
            h->got = 0;
        }
    }
    return TW_OK;
}

size_t tw_tls_hs_pending(const struct tw_tls_hs *h)
{
    return h->hdr_len + (size_t)h->got;
}

void tw_tls_hs_reset(struct tw_tls_hs *h)
{
    h->hdr_len = 0;
    h->got = 0;
    h->skip = 0;
    h->msg_len = 0;
}

void tw_tls_hs_free(struct tw_tls_hs *h)
{
    free(h->buf);
    h->buf = NULL;
    h->cap = 0;
}
