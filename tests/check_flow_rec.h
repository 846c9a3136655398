/* check_flow_rec.h: a recording consumer and a segment builder for the flow and reassembly
 * suites. Header-only (static), so each check_flow*.c / check_reasm*.c stands alone. */
#ifndef TLSWHY_CHECK_FLOW_REC_H
#define TLSWHY_CHECK_FLOW_REC_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tlswhy/flow.h"

#define REC_MAX_EV 512
#define REC_MAX_CONNS 8

/* One callback as it happened. kind: 'o' open, 'd' data, 'g' gap, 'e' TCP event, 'c' close. */
struct rec_ev {
    char kind;
    int dir;
    int sub;       /* tw_tcp_event_kind for 'e', close_reason for 'c' */
    uint64_t conn; /* tw_conn_id */
    uint64_t a, b; /* data: stream offset, length; gap: offset, length; event: stream_off */
    uint64_t frame;
};

/* What a connection looked like at on_close. */
struct rec_close {
    uint64_t id;
    struct tw_endpoint cli, srv;
    struct tw_ev_tcp tcp;
};

struct rec {
    struct rec_ev ev[REC_MAX_EV];
    size_t n;
    uint8_t *stream[REC_MAX_CONNS][2]; /* delivered bytes per connection id (1-based) */
    size_t len[REC_MAX_CONNS][2];
    size_t done_after[2];     /* on_data answers DONE once this many bytes arrived (0: never) */
    bool settle;              /* and then settles the connection (tw_conn_settle) */
    const uint8_t *last_data; /* pointer on_data got last: proves in-order bytes are not copied */
    struct rec_close closed[REC_MAX_CONNS];
    size_t nclosed;
    uint64_t opened;
};

static inline void rec_push(struct rec *r, struct rec_ev e)
{
    if (r->n < REC_MAX_EV)
        r->ev[r->n++] = e;
}

static inline void rec_open(void *ctx, struct tw_conn *c, const struct tw_pkt *p)
{
    struct rec *r = ctx;
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(tw_conn_app(c));
    tw_conn_set_app(c, r);
    r->opened++;
    rec_push(r, (struct rec_ev){.kind = 'o', .conn = tw_conn_id(c), .frame = p->frame->no});
}

static inline int rec_data(void *ctx, struct tw_conn *c, enum tw_dir d, const uint8_t *data,
                           size_t len, uint64_t frame, int64_t ts)
{
    struct rec *r = ctx;
    uint64_t id = tw_conn_id(c);
    (void)ts;
    ck_assert_ptr_eq(tw_conn_app(c), r);
    ck_assert_uint_gt(len, 0);
    r->last_data = data;
    if (id < REC_MAX_CONNS) {
        size_t *l = &r->len[id][d];
        r->stream[id][d] = realloc(r->stream[id][d], *l + len);
        ck_assert_ptr_nonnull(r->stream[id][d]);
        memcpy(r->stream[id][d] + *l, data, len);
        rec_push(r, (struct rec_ev){
                        .kind = 'd', .dir = d, .conn = id, .a = *l, .b = len, .frame = frame});
        *l += len;
        if (r->done_after[d] && *l >= r->done_after[d]) {
            if (r->settle)
                tw_conn_settle(c);
            return TW_STREAM_DONE;
        }
    }
    return TW_STREAM_MORE;
}

static inline void rec_gap(void *ctx, struct tw_conn *c, enum tw_dir d, uint64_t off, uint64_t len,
                           uint64_t frame, int64_t ts)
{
    struct rec *r = ctx;
    uint64_t id = tw_conn_id(c);
    (void)ts;
    if (id < REC_MAX_CONNS) {
        /* The stream so far must end exactly where the gap starts. */
        ck_assert_uint_eq(off, r->len[id][d]);
        size_t *l = &r->len[id][d];
        r->stream[id][d] = realloc(r->stream[id][d], *l + len);
        memset(r->stream[id][d] + *l, '?', len);
        *l += len;
    }
    rec_push(
        r, (struct rec_ev){.kind = 'g', .dir = d, .conn = id, .a = off, .b = len, .frame = frame});
}

static inline void rec_event(void *ctx, struct tw_conn *c, const struct tw_tcp_event *e)
{
    struct rec *r = ctx;
    rec_push(r, (struct rec_ev){.kind = 'e',
                                .dir = e->dir,
                                .sub = e->kind,
                                .conn = tw_conn_id(c),
                                .a = e->stream_off,
                                .frame = e->frame});
}

static inline void rec_close(void *ctx, struct tw_conn *c)
{
    struct rec *r = ctx;
    const struct tw_ev_tcp *t = tw_conn_tcp(c);
    ck_assert_int_ne(t->close_reason, 0);
    rec_push(r, (struct rec_ev){.kind = 'c',
                                .sub = t->close_reason,
                                .conn = tw_conn_id(c),
                                .frame = t->close_frame});
    if (r->nclosed < REC_MAX_CONNS)
        r->closed[r->nclosed++] = (struct rec_close){
            .id = tw_conn_id(c), .cli = *tw_conn_client(c), .srv = *tw_conn_server(c), .tcp = *t};
    tw_conn_set_app(c, NULL);
}

static const struct tw_stream_ops rec_ops = {rec_open, rec_data, rec_gap, rec_event, rec_close};

static inline struct rec *rec_new(void)
{
    struct rec *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    return r;
}

static inline void rec_free(struct rec *r)
{
    for (size_t i = 0; i < REC_MAX_CONNS; i++)
        for (int d = 0; d < 2; d++)
            free(r->stream[i][d]);
    free(r);
}

/* The n-th recorded callback of a kind ('e' events also match on sub when sub != 0). */
static inline const struct rec_ev *rec_find(const struct rec *r, char kind, int sub, size_t nth)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i].kind == kind && (sub == 0 || r->ev[i].sub == sub) && nth-- == 0)
            return &r->ev[i];
    return NULL;
}

static inline size_t rec_count(const struct rec *r, char kind, int sub)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->ev[i].kind == kind && (sub == 0 || r->ev[i].sub == sub);
    return n;
}

/* ---- segments ---- */

/* A test network: host A 192.0.2.1 port pa, host B 192.0.2.2 port pb (or IPv6 2001:db8::1/2). */
struct net {
    struct tw_flow_table *t;
    struct rec *r;
    struct tw_endpoint a, b;
    uint64_t no;    /* frame number of the last segment */
    int64_t now_us; /* its time; each segment advances it by 1 ms unless set */
};

static inline void net_init(struct net *n, const struct tw_limits *lim, uint16_t pa, uint16_t pb,
                            int family)
{
    memset(n, 0, sizeof *n);
    n->r = rec_new();
    struct tw_limits def;
    tw_limits_default(&def);
    n->t = tw_flow_new(lim ? lim : &def, &rec_ops, n->r);
    ck_assert_ptr_nonnull(n->t);
    n->a.ip.family = n->b.ip.family = (uint8_t)family;
    if (family == 4) {
        static const uint8_t a4[4] = {192, 0, 2, 1}, b4[4] = {192, 0, 2, 2};
        memcpy(n->a.ip.b, a4, 4);
        memcpy(n->b.ip.b, b4, 4);
    } else {
        static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
        static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
        memcpy(n->a.ip.b, a6, 16);
        memcpy(n->b.ip.b, b6, 16);
    }
    n->a.port = pa;
    n->b.port = pb;
    n->now_us = 1700000000LL * 1000000;
}

static inline void net_free(struct net *n)
{
    tw_flow_free(n->t);
    rec_free(n->r);
}

/* One segment from A (from_b false) or B: flags, seq, ack, payload (len bytes), lost bytes. */
static inline void seg_lost(struct net *n, bool from_b, uint8_t flags, uint32_t seq, uint32_t ack,
                            const void *data, uint32_t len, uint32_t lost, uint16_t window)
{
    struct tw_frame f = {.no = ++n->no, .ts_us = (n->now_us += 1000)};
    struct tw_pkt p = {.frame = &f, .src = from_b ? n->b : n->a, .dst = from_b ? n->a : n->b};
    p.ip_version = n->a.ip.family;
    p.flags = flags;
    p.seq = seq;
    p.ack = ack;
    p.window = window;
    /* A copy, so that a reassembler keeping a pointer past the call would read freed memory
     * under ASan. */
    uint8_t *copy = len ? malloc(len) : NULL;
    if (len)
        memcpy(copy, data, len);
    p.payload = copy;
    p.payload_len = len;
    p.lost = lost;
    ck_assert_int_eq(tw_flow_packet(n->t, &p), TW_OK);
    if (len && n->r->last_data == copy)
        n->r->last_data = (const uint8_t *)1; /* "was delivered straight from the frame" */
    free(copy);
}

static inline void seg(struct net *n, bool from_b, uint8_t flags, uint32_t seq, uint32_t ack,
                       const void *data, uint32_t len)
{
    seg_lost(n, from_b, flags, seq, ack, data, len, 0, 65535);
}

#define F_S TW_TCP_SYN
#define F_A TW_TCP_ACK
#define F_F TW_TCP_FIN
#define F_R TW_TCP_RST
#define F_P TW_TCP_PSH

/* SYN (A, isn ia), SYN-ACK (B, isn ib), ACK: stream byte 0 is ia + 1 and ib + 1. */
static inline void handshake(struct net *n, uint32_t ia, uint32_t ib)
{
    seg(n, false, F_S, ia, 0, NULL, 0);
    seg(n, true, F_S | F_A, ib, ia + 1, NULL, 0);
    seg(n, false, F_A, ia + 1, ib + 1, NULL, 0);
}

#endif
