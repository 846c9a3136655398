/* rd.h: the bounds-checked reader, the only way any parser touches wire bytes. */
#ifndef TLSWHY_RD_H
#define TLSWHY_RD_H

#include "tlswhy/base.h"

/* Shared by a root reader and all its sub-readers: the first failure sticks, so after any error
 * every getter returns 0, tw_rd_left() is 0 and parse loops stop on their own. */
struct tw_rd_err {
    int code;        /* TW_OK until the first failure */
    size_t off;      /* where it happened, from the start of the root message */
    const char *why; /* static string, e.g. "session_id longer than 32" */
};

struct tw_rd {
    const uint8_t *p, *end; /* next byte; one past the last byte we may touch */
    const uint8_t *base;    /* start of the root message, for offsets */
    struct tw_rd_err *err;
};

/* A root reader over buf[0..len). err is reset to TW_OK. buf may be NULL when len is 0.
 * Inline, as the sub-reader below: several are made for every packet. */
static inline struct tw_rd tw_rd_make(const uint8_t *buf, size_t len, struct tw_rd_err *err)
{
    err->code = TW_OK;
    err->off = 0;
    err->why = NULL;
    struct tw_rd r = {.p = buf, .end = buf ? buf + len : buf, .base = buf, .err = err};
    return r;
}
/* Bytes left; 0 once an error is set. Inline: every header of every packet asks. */
static inline size_t tw_rd_left(const struct tw_rd *r)
{
    return r->err->code != TW_OK ? 0 : (size_t)(r->end - r->p);
}
static inline bool tw_rd_ok(const struct tw_rd *r)
{
    return r->err->code == TW_OK;
}
/* Records the first error (code, why, offset of r->p) and empties r. Later calls do nothing. */
void tw_rd_fail(struct tw_rd *r, int code, const char *why);

/* The getters are inline: they run for every header field of every packet, and a call per
 * field was a third of the decode time. tw_rd_need is the one place that compares lengths:
 * the next n bytes, or NULL after recording TW_E_SHORT. */
static inline const uint8_t *tw_rd_need(struct tw_rd *r, size_t n)
{
    if (r->err->code != TW_OK)
        return NULL;
    if ((size_t)(r->end - r->p) < n) {
        tw_rd_fail(r, TW_E_SHORT, "short read");
        return NULL;
    }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}

/* Big-endian getters; 0 on error (and the error is set if it was not). */
static inline uint8_t tw_rd_u8(struct tw_rd *r)
{
    const uint8_t *q = tw_rd_need(r, 1);
    return q ? q[0] : 0;
}

static inline uint16_t tw_rd_u16(struct tw_rd *r)
{
    const uint8_t *q = tw_rd_need(r, 2);
    return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static inline uint32_t tw_rd_u24(struct tw_rd *r)
{
    const uint8_t *q = tw_rd_need(r, 3);
    return q ? ((uint32_t)q[0] << 16) | ((uint32_t)q[1] << 8) | q[2] : 0;
}

static inline uint32_t tw_rd_u32(struct tw_rd *r)
{
    const uint8_t *q = tw_rd_need(r, 4);
    return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3] : 0;
}

/* Little-endian getters, for link headers written in host order (pcap NULL, ...). */
static inline uint16_t tw_rd_u16le(struct tw_rd *r)
{
    const uint8_t *q = tw_rd_need(r, 2);
    return q ? (uint16_t)((q[1] << 8) | q[0]) : 0;
}

static inline uint32_t tw_rd_u32le(struct tw_rd *r)
{
    const uint8_t *q = tw_rd_need(r, 4);
    return q ? ((uint32_t)q[3] << 24) | ((uint32_t)q[2] << 16) | ((uint32_t)q[1] << 8) | q[0] : 0;
}

/* A borrowed view of the next n bytes, valid as long as the underlying buffer; NULL on error.
 * n == 0 returns the current position (non-NULL when the reader is valid). */
static inline const uint8_t *tw_rd_take(struct tw_rd *r, size_t n)
{
    return tw_rd_need(r, n);
}

/* Skips n bytes; same failure rules as take. */
static inline void tw_rd_skip(struct tw_rd *r, size_t n)
{
    (void)tw_rd_need(r, n);
}

/* Reads a <lenbytes>-byte big-endian length (1, 2 or 3) and returns a sub-reader over that many
 * bytes; the parent moves past them. A length beyond what is left fails with TW_E_MALFORMED. */
struct tw_rd tw_rd_vec(struct tw_rd *r, int lenbytes);
/* A sub-reader over the next n bytes (the parent skips them); empty after an error. */
static inline struct tw_rd tw_rd_sub(struct tw_rd *r, size_t n)
{
    const uint8_t *q = tw_rd_need(r, n);
    struct tw_rd s = {.p = q, .end = q ? q + n : r->end, .base = r->base, .err = r->err};
    if (!q)
        s.p = s.end;
    return s;
}
/* Bytes left over in r -> TW_E_MALFORMED ("trailing bytes"). */
void tw_rd_end(struct tw_rd *r);
/* Offset of the next byte from the root message start. */
size_t tw_rd_off(const struct tw_rd *r);

#endif
