/* reasm.c: per-direction TCP stream reassembly (RFC 9293 §3.4 sequence space, §3.10.7.4
 * segment acceptance): in-order bytes go to the consumer straight from the frame, out-of-order
 * bytes are copied into capped buffers, and holes that never fill become gaps. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

void tw_reasm_set_isn(struct tw_reasm *r, uint32_t isn)
{
    r->isn = isn;
    r->next = 0;
    r->flags |= TW_RA_HAS_ISN;
}

int64_t tw_reasm_offset(const struct tw_reasm *r, uint32_t seq)
{
    /* The 32-bit distance from next, read as signed, picks the nearest 64-bit offset: this is
     * RFC 9293's modular comparison, and it carries the stream across wraparound. */
    uint32_t rel = seq - r->isn;
    int32_t delta = (int32_t)(rel - (uint32_t)r->next);
    return (int64_t)r->next + delta;
}

static void pool_unlink(struct tw_reasm_pool *pool, struct tw_reasm_ooo *o)
{
    if (o->prev)
        o->prev->next = o->next;
    else
        pool->head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else
        pool->tail = o->prev;
    o->prev = o->next = NULL;
}

static void pool_append(struct tw_reasm_pool *pool, struct tw_reasm_ooo *o)
{
    o->prev = pool->tail;
    o->next = NULL;
    if (pool->tail)
        pool->tail->next = o;
    else
        pool->head = o;
    pool->tail = o;
}

/* Frees the direction's buffer record once it holds nothing. */
static void ooo_release_if_empty(struct tw_reasm_pool *pool, struct tw_reasm *r)
{
    if (r->ooo && !r->ooo->segs) {
        pool_unlink(pool, r->ooo);
        tw_flow_mem(pool->st, -(int64_t)sizeof *r->ooo);
        free(r->ooo);
        r->ooo = NULL;
    }
}

void tw_reasm_discard(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d)
{
    struct tw_reasm *r = &c->dir[d];
    if (!r->ooo)
        return;
    struct tw_reasm_seg *s = r->ooo->segs;
    while (s) {
        struct tw_reasm_seg *n = s->next;
        pool->st->ooo_bytes_live -= s->len;
        tw_flow_mem(pool->st, -(int64_t)(sizeof *s + s->len));
        free(s);
        s = n;
    }
    r->ooo->segs = NULL;
    r->ooo->bytes = 0;
    ooo_release_if_empty(pool, r);
}

static void set_next(struct tw_conn *c, enum tw_dir d, uint64_t next)
{
    c->dir[d].next = next;
    c->tcp->bytes[d] = next;
}

/* Hands len in-order bytes to the consumer; a DONE answer stops buffering for good. */
static void deliver(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d,
                    const uint8_t *data, size_t len, uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    if (len == 0)
        return;
    int rc = TW_STREAM_MORE;
    if (!(r->flags & TW_RA_DONE) && pool->ops->on_data)
        rc = pool->ops->on_data(pool->ctx, c, d, data, len, frame, ts);
    set_next(c, d, r->next + len);
    if (rc == TW_STREAM_DONE) {
        r->flags |= TW_RA_DONE;
        tw_reasm_discard(pool, c, d);
    }
}

static void gap(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, uint64_t len,
                uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    if (len == 0)
        return;
    if (!(r->flags & TW_RA_DONE)) {
        c->tcp->gaps[d]++;
        c->tcp->gap_bytes[d] += len;
        if (!c->tcp->first_gap_frame[d])
            c->tcp->first_gap_frame[d] = frame;
        if (pool->ops->on_gap)
            pool->ops->on_gap(pool->ctx, c, d, r->next, len, frame, ts);
    }
    set_next(c, d, r->next + len);
}

/* Delivers held pieces that now start at next. */
static void drain(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, uint64_t frame,
                  int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    while (r->ooo && r->ooo->segs && r->ooo->segs->off <= r->next) {
        struct tw_reasm_seg *s = r->ooo->segs;
        r->ooo->segs = s->next;
        r->ooo->bytes -= s->len;
        pool->st->ooo_bytes_live -= s->len;
        /* Pieces are trimmed against next when held, so s->off == next here. */
        deliver(pool, c, d, s->data, s->len, frame, ts);
        tw_flow_mem(pool->st, -(int64_t)(sizeof *s + s->len));
        free(s);
    }
    ooo_release_if_empty(pool, r);
}

/* Gives up holes below limit: each becomes a gap, held bytes between them are delivered. */
static void give_up_below(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d,
                          uint64_t limit, uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    for (;;) {
        drain(pool, c, d, frame, ts);
        if (r->next >= limit)
            break;
        uint64_t hole_end = limit;
        if (r->ooo && r->ooo->segs && r->ooo->segs->off < hole_end)
            hole_end = r->ooo->segs->off;
        gap(pool, c, d, hole_end - r->next, frame, ts);
    }
}

static uint64_t held_end(const struct tw_reasm *r)
{
    uint64_t end = r->next;
    for (const struct tw_reasm_seg *s = r->ooo ? r->ooo->segs : NULL; s; s = s->next)
        end = s->off + s->len;
    return end;
}

void tw_reasm_flush(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, uint64_t upto,
                    uint64_t frame, int64_t ts)
{
    uint64_t limit = held_end(&c->dir[d]);
    give_up_below(pool, c, d, limit > upto ? limit : upto, frame, ts);
}

void tw_reasm_acked(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, int64_t acked,
                    uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    if (acked <= (int64_t)r->next)
        return;
    uint64_t limit = (uint64_t)acked;
    /* The FIN takes one sequence number: an ACK of it is not a stream byte. */
    if ((r->flags & TW_RA_FIN) && limit > r->fin_off)
        limit = r->fin_off;
    give_up_below(pool, c, d, limit, frame, ts);
}

/* Bytes of [off, off + len) that no held piece covers. */
static size_t uncovered(const struct tw_reasm *r, uint64_t off, uint32_t len)
{
    size_t covered = 0;
    uint64_t end = off + len;
    for (const struct tw_reasm_seg *s = r->ooo ? r->ooo->segs : NULL; s; s = s->next) {
        uint64_t a = s->off > off ? s->off : off;
        uint64_t b = s->off + s->len < end ? s->off + s->len : end;
        if (a < b)
            covered += (size_t)(b - a);
    }
    return len - covered;
}

/* Copies the uncovered parts of [off, off + len) into new pieces; where held bytes overlap,
 * the held ones win and a difference is counted. Returns false on allocation failure (the
 * rest is dropped, and becomes a gap later). */
static bool hold(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, uint64_t off,
                 const uint8_t *data, uint32_t len)
{
    struct tw_reasm *r = &c->dir[d];
    struct tw_reasm_seg **pp = &r->ooo->segs;
    uint64_t pos = off, end = off + len;
    bool conflict = false, ok = true;
    while (pos < end) {
        struct tw_reasm_seg *s = *pp;
        if (s && s->off + s->len <= pos) {
            pp = &s->next;
            continue;
        }
        if (s && s->off <= pos) {
            uint64_t ov = s->off + s->len < end ? s->off + s->len : end;
            if (memcmp(data + (pos - off), s->data + (pos - s->off), (size_t)(ov - pos)) != 0)
                conflict = true;
            pos = ov;
            pp = &s->next;
            continue;
        }
        uint64_t piece = (s && s->off < end) ? s->off : end;
        struct tw_reasm_seg *n = malloc(sizeof *n + (size_t)(piece - pos));
        if (!n) {
            ok = false;
            break;
        }
        tw_flow_mem(pool->st, (int64_t)(sizeof *n + (piece - pos)));
        n->off = pos;
        n->len = (uint32_t)(piece - pos);
        memcpy(n->data, data + (pos - off), n->len);
        n->next = s;
        *pp = n;
        pp = &n->next;
        r->ooo->bytes += n->len;
        pool->st->ooo_bytes_live += n->len;
        pos = piece;
    }
    if (pool->st->ooo_bytes_live > pool->st->ooo_bytes_peak)
        pool->st->ooo_bytes_peak = pool->st->ooo_bytes_live;
    if (conflict)
        c->tcp->overlap_conflicts[d]++;
    return ok;
}

/* Delivers an in-order segment [next, next + len) piece by piece around held pieces it
 * overlaps: those were received first, so their bytes win. No allocation. */
static void in_order(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d,
                     const uint8_t *data, uint32_t len, uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    uint64_t off = r->next, end = off + len;
    bool conflict = false;
    while (r->next < end && !(r->flags & TW_RA_DONE)) {
        struct tw_reasm_seg *s = r->ooo ? r->ooo->segs : NULL;
        if (!s || s->off >= end) {
            deliver(pool, c, d, data + (r->next - off), (size_t)(end - r->next), frame, ts);
            break;
        }
        if (s->off > r->next) {
            deliver(pool, c, d, data + (r->next - off), (size_t)(s->off - r->next), frame, ts);
            continue;
        }
        uint64_t ov = s->off + s->len < end ? s->off + s->len : end;
        if (memcmp(data + (r->next - off), s->data, (size_t)(ov - r->next)) != 0)
            conflict = true;
        drain(pool, c, d, frame, ts);
    }
    if (conflict)
        c->tcp->overlap_conflicts[d]++;
    if ((r->flags & TW_RA_DONE) && r->next < end)
        set_next(c, d, end);
}

/* Makes room for need more held bytes in direction d. Returns 1 when room was made by giving
 * bytes up in d itself (the caller starts over, since next moved), 0 when there is room, -1
 * when the segment must be dropped. */
static int make_room(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, size_t need,
                     uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    size_t held = r->ooo ? r->ooo->bytes : 0;
    if (held + need > pool->cap_dir) {
        if (held == 0)
            return -1;
        /* Give up the first hole; the segment may now be in order. */
        give_up_below(pool, c, d, r->ooo->segs->off, frame, ts);
        return 1;
    }
    while (pool->st->ooo_bytes_live + need > pool->cap_total && pool->head) {
        struct tw_reasm_ooo *victim = pool->head;
        pool->st->ooo_evicted++;
        if (victim->conn == c && victim->dir == d) {
            tw_reasm_flush(pool, c, d, 0, frame, ts);
            return 1;
        }
        tw_reasm_flush(pool, victim->conn, victim->dir, 0, frame, ts);
    }
    return pool->st->ooo_bytes_live + need > pool->cap_total ? -1 : 0;
}

static void dropped(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d)
{
    c->tcp->ooo_dropped[d]++;
    pool->st->ooo_dropped_segs++;
}

/* The direction's buffer record, created on first use, and moved to the end of the pool's
 * list: it buffered most recently. NULL on allocation failure. */
static struct tw_reasm_ooo *ooo_touch(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d)
{
    struct tw_reasm *r = &c->dir[d];
    if (r->ooo) {
        pool_unlink(pool, r->ooo);
    } else {
        r->ooo = calloc(1, sizeof *r->ooo);
        if (!r->ooo)
            return NULL;
        tw_flow_mem(pool->st, (int64_t)sizeof *r->ooo);
        r->ooo->conn = c;
        r->ooo->dir = d;
    }
    pool_append(pool, r->ooo);
    return r->ooo;
}

void tw_reasm_data(struct tw_reasm_pool *pool, struct tw_conn *c, enum tw_dir d, int64_t off,
                   const uint8_t *data, uint32_t len, uint32_t lost, uint64_t frame, int64_t ts)
{
    struct tw_reasm *r = &c->dir[d];
    int64_t end = off + (int64_t)len + (int64_t)lost;
    bool first = true; /* counters describe the segment, not our own restarts */
again:
    if (r->flags & TW_RA_DONE) {
        if (end > (int64_t)r->next)
            set_next(c, d, (uint64_t)end);
        return;
    }
    if (len + lost == 0)
        return;
    /* A keep-alive (or Linux's zero-window probe) repeats the byte before next, or none. */
    if (off + 1 == (int64_t)r->next && len + lost <= 1 && first)
        return;
    if (end <= (int64_t)r->next) {
        c->tcp->retransmits[d] += first;
        return;
    }
    if (off < (int64_t)r->next) {
        /* Partial overlap with delivered bytes: only the new tail counts. */
        uint64_t skip = r->next - (uint64_t)off;
        c->tcp->partial_overlaps[d] += first;
        if (skip >= len) {
            lost -= (uint32_t)(skip - len);
            data = NULL;
            len = 0;
        } else {
            data += skip;
            len -= (uint32_t)skip;
        }
        off = (int64_t)r->next;
    }
    if (off == (int64_t)r->next) {
        in_order(pool, c, d, data, len, frame, ts);
        if (lost)
            give_up_below(pool, c, d, (uint64_t)end, frame, ts);
        drain(pool, c, d, frame, ts);
        return;
    }
    /* Ahead of next: hold a copy until the hole fills or is given up. */
    size_t need = uncovered(r, (uint64_t)off, len);
    if (need == 0) {
        /* Wholly held already: compare with the held bytes (they win); nothing is added. */
        if (len > 0) {
            c->tcp->retransmits[d] += first;
            hold(pool, c, d, (uint64_t)off, data, len);
        }
        return;
    }
    switch (make_room(pool, c, d, need, frame, ts)) {
    case 1:
        first = false;
        goto again;
    case -1:
        dropped(pool, c, d);
        return;
    default:
        break;
    }
    if (!ooo_touch(pool, c, d) || !hold(pool, c, d, (uint64_t)off, data, len))
        dropped(pool, c, d);
}
