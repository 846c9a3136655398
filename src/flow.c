/* flow.c: the connection table: 5-tuple lookup, client/server orientation, connection life
 * (RFC 9293 §3.5 open, §3.6 close, §3.10.7 RST), idle timeouts in capture time, and the memory
 * bounds (max_conns with least-recently-active eviction). Reassembly is in reasm.c. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

/* ---- endpoints and hashing ------------------------------------------------------------- */

/* One endpoint as a 64-bit value: the address in two words (memcpy: no unaligned access), with
 * family and port, multiplied so every input bit reaches the high bits. */
static uint64_t hash_ep(const struct tw_endpoint *e)
{
    uint64_t w0, w1;
    memcpy(&w0, e->ip.b, 8);
    memcpy(&w1, e->ip.b + 8, 8);
    uint64_t h = (w0 ^ 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
    h ^= (w1 + ((uint64_t)e->port << 8 | e->ip.family)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

/* Both directions of a connection hash alike: the endpoints' hashes are added, which does not
 * depend on their order (this replaced a byte-wise FNV-1a over both endpoints in order, a
 * sixth of the flow layer's time). */
size_t tw_flow_bucket(const struct tw_flow_table *t, const struct tw_endpoint *a,
                      const struct tw_endpoint *b)
{
    uint64_t h = (hash_ep(a) + hash_ep(b)) * 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return (size_t)h & t->mask;
}

/* ---- the activity lists ----------------------------------------------------------------- */

void tw_flow_list_unlink(struct tw_flow_table *t, struct tw_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        t->head[c->list] = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        t->tail[c->list] = c->prev;
    c->prev = c->next = NULL;
}

void tw_flow_list_append(struct tw_flow_table *t, struct tw_conn *c, uint8_t list)
{
    c->list = list;
    c->prev = t->tail[list];
    c->next = NULL;
    if (t->tail[list])
        t->tail[list]->next = c;
    else
        t->head[list] = c;
    t->tail[list] = c;
}

/* ---- table ------------------------------------------------------------------------------ */

static int64_t list_timeout(const struct tw_flow_table *t, int list)
{
    if (list == TW_LIST_SYN)
        return t->lim.syn_timeout_us;
    if (list == TW_LIST_TOMB)
        return t->lim.idle_timeout_us < TW_FLOW_LINGER_US ? t->lim.idle_timeout_us
                                                          : TW_FLOW_LINGER_US;
    return t->lim.idle_timeout_us;
}

struct tw_flow_table *tw_flow_new(const struct tw_limits *lim, const struct tw_stream_ops *ops,
                                  void *ctx)
{
    struct tw_flow_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->lim = *lim;
    if (t->lim.max_conns == 0)
        t->lim.max_conns = 1;
    t->ops = *ops;
    t->ctx = ctx;
    size_t n = 16;
    while (n < t->lim.max_conns && n < ((size_t)1 << 40))
        n <<= 1;
    t->buckets = calloc(n, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    t->mask = n - 1;
    for (int l = 0; l < TW_LIST_N; l++)
        t->timeout[l] = list_timeout(t, l);
    tw_flow_mem(&t->st, (int64_t)(sizeof *t + n * sizeof *t->buckets));
    t->now = INT64_MIN;
    t->pool.ops = &t->ops;
    t->pool.ctx = ctx;
    t->pool.cap_dir = lim->max_ooo_bytes_per_dir;
    t->pool.cap_total = lim->max_ooo_bytes_total;
    t->pool.st = &t->st;
    return t;
}

void tw_flow_conn_free(struct tw_flow_table *t, struct tw_conn *c)
{
    struct tw_conn **pp = &t->buckets[tw_flow_bucket(t, &c->cli, &c->srv)];
    while (*pp != c)
        pp = &(*pp)->hnext;
    *pp = c->hnext;
    tw_flow_list_unlink(t, c);
    tw_reasm_discard(&t->pool, c, TW_DIR_C2S);
    tw_reasm_discard(&t->pool, c, TW_DIR_S2C);
    if (c->state & TW_CONN_CLOSED)
        t->st.lingering--;
    t->tracked--;
    tw_flow_mem(&t->st, -(int64_t)sizeof *c);
    tw_flow_tcp_free(t, c);
    free(c);
}

void tw_flow_free(struct tw_flow_table *t)
{
    if (!t)
        return;
    for (int l = 0; l < TW_LIST_N; l++)
        while (t->head[l])
            tw_flow_conn_free(t, t->head[l]);
    free(t->buckets);
    free(t);
}

const struct tw_flow_stats *tw_flow_stats(const struct tw_flow_table *t)
{
    return &t->st;
}

/* ---- opening and closing ---------------------------------------------------------------- */

/* on_open comes before any other callback. A mid-stream connection opens late, at its first
 * payload (once orientation is known) or when something else must be reported, and one that
 * has seen only client SYNs when it is answered or closed; without a packet at hand the
 * consumer gets one made from the connection's first frame (its SYN, if it had one). */
void tw_flow_open_conn(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p)
{
    if (c->state & TW_CONN_OPENED)
        return;
    c->state |= TW_CONN_OPENED;
    if (!t->ops.on_open)
        return;
    struct tw_frame f = {.no = c->first_frame, .ts_us = c->first_ts};
    struct tw_pkt made = {.frame = &f, .src = c->cli, .dst = c->srv};
    made.ip_version = c->cli.ip.family;
    if (c->syn_count) {
        made.flags = TW_TCP_SYN;
        made.seq = c->dir[TW_DIR_C2S].isn - 1;
    }
    t->ops.on_open(t->ctx, c, p ? p : &made);
}

void tw_flow_emit(struct tw_flow_table *t, struct tw_conn *c, enum tw_tcp_event_kind kind,
                  enum tw_dir d, uint64_t frame, int64_t ts, uint64_t off)
{
    struct tw_tcp_event e = {
        .kind = kind, .dir = d, .frame = frame, .ts_us = ts, .stream_off = off};
    tw_flow_open_conn(t, c, NULL);
    if (t->ops.on_event)
        t->ops.on_event(t->ctx, c, &e);
}

/* The compact fields into e, which becomes c's record. */
static void fill_compact(struct tw_conn *c, struct tw_ev_tcp *e)
{
    memset(e, 0, sizeof *e);
    e->first_frame = e->syn_frame = c->first_frame;
    e->first_ts = e->syn_ts = c->first_ts;
    e->last_frame = c->last_frame;
    e->last_ts = c->last_ts;
    e->syn_count = c->syn_count;
    c->tcp = e;
}

/* The deferred report of a connection that had seen only client SYNs: on_open, the SYN, and
 * one SYN_RETX (with the last SYN's frame) if it was sent more than once. */
static void report_syns(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p)
{
    tw_flow_open_conn(t, c, p);
    tw_flow_emit(t, c, TW_TCP_EV_SYN, TW_DIR_C2S, c->first_frame, c->first_ts, 0);
    if (c->syn_count > 1)
        tw_flow_emit(t, c, TW_TCP_EV_SYN_RETX, TW_DIR_C2S, c->last_frame, c->last_ts, 0);
}

bool tw_flow_promote(struct tw_flow_table *t, struct tw_conn *c, const struct tw_pkt *p)
{
    struct tw_ev_tcp *e = malloc(sizeof *e);
    if (!e)
        return false;
    tw_flow_mem(&t->st, (int64_t)sizeof *e);
    fill_compact(c, e);
    report_syns(t, c, p);
    return true;
}

void tw_flow_close_conn(struct tw_flow_table *t, struct tw_conn *c, enum tw_close_reason why,
                        uint64_t frame)
{
    tw_flow_after_unpack(t, c);
    if (!c->tcp) {
        /* Compact to the end: the scratch record stands in while the consumer looks. */
        fill_compact(c, &t->scratch);
        report_syns(t, c, NULL);
    }
    tw_flow_open_conn(t, c, NULL);
    for (int d = 0; d < 2; d++) {
        struct tw_reasm *r = &c->dir[d];
        uint64_t upto = (r->flags & TW_RA_FIN) ? r->fin_off : 0;
        tw_reasm_flush(&t->pool, c, (enum tw_dir)d, upto, frame ? frame : c->last_frame, t->now);
        if ((r->flags & TW_RA_FIN) && !(r->flags & TW_RA_FIN_SENT)) {
            r->flags |= TW_RA_FIN_SENT;
            tw_flow_emit(t, c, TW_TCP_EV_FIN, (enum tw_dir)d, c->tcp->fin_frame[d],
                         c->tcp->fin_ts[d], r->fin_off);
        }
    }
    c->tcp->close_reason = why;
    c->tcp->close_frame = frame;
    c->tcp->close_ts = t->now;
    if (t->ops.on_close)
        t->ops.on_close(t->ctx, c);
    c->app = NULL;
    t->st.conns_live--;
    if (why == TW_CLOSE_FIN || why == TW_CLOSE_RST) {
        /* A lingering entry needs only its tuple and sequence numbers. */
        tw_reasm_discard(&t->pool, c, TW_DIR_C2S);
        tw_reasm_discard(&t->pool, c, TW_DIR_S2C);
        tw_flow_tcp_free(t, c);
        c->state |= TW_CONN_CLOSED;
        t->st.lingering++;
        tw_flow_list_unlink(t, c);
        tw_flow_list_append(t, c, TW_LIST_TOMB);
    } else {
        tw_flow_conn_free(t, c);
    }
}

bool tw_flow_check_fins(struct tw_flow_table *t, struct tw_conn *c, uint64_t frame)
{
    for (int d = 0; d < 2; d++) {
        struct tw_reasm *r = &c->dir[d];
        if ((r->flags & TW_RA_FIN) && !(r->flags & TW_RA_FIN_SENT) && r->next >= r->fin_off) {
            r->flags |= TW_RA_FIN_SENT;
            tw_flow_emit(t, c, TW_TCP_EV_FIN, (enum tw_dir)d, c->tcp->fin_frame[d],
                         c->tcp->fin_ts[d], r->fin_off);
        }
    }
    if ((c->dir[0].flags & TW_RA_FIN_SENT) && (c->dir[1].flags & TW_RA_FIN_SENT)) {
        tw_flow_close_conn(t, c, TW_CLOSE_FIN, frame);
        return true;
    }
    return false;
}

void tw_flow_expire(struct tw_flow_table *t, int64_t now_us)
{
    if (now_us > t->now)
        t->now = now_us;
    /* Each list is ordered by last activity and has one timeout, so only heads are looked at. */
    for (int l = 0; l < TW_LIST_N; l++) {
        int64_t to = t->timeout[l];
        struct tw_conn *c;
        while ((c = t->head[l]) && t->now - c->last_ts > to) {
            if (l == TW_LIST_TOMB) {
                tw_flow_conn_free(t, c);
                continue;
            }
            t->st.timeouts++;
            tw_flow_close_conn(t, c, TW_CLOSE_TIMEOUT, 0);
        }
    }
}

/* Makes room for one more connection: a lingering one goes first, then the least recently
 * active live one, which is reported as evicted. */
void tw_flow_evict_one(struct tw_flow_table *t)
{
    if (t->head[TW_LIST_TOMB]) {
        tw_flow_conn_free(t, t->head[TW_LIST_TOMB]);
        return;
    }
    struct tw_conn *a = t->head[TW_LIST_SYN], *b = t->head[TW_LIST_LIVE];
    struct tw_conn *v = !a ? b : !b ? a : (a->last_ts <= b->last_ts ? a : b);
    if (!v)
        return;
    t->st.evicted++;
    tw_flow_close_conn(t, v, TW_CLOSE_EVICTED, 0);
}

static int cmp_id(const void *a, const void *b)
{
    uint64_t x = (*(struct tw_conn *const *)a)->id, y = (*(struct tw_conn *const *)b)->id;
    return x < y ? -1 : x > y;
}

void tw_flow_finish(struct tw_flow_table *t)
{
    size_t n = (size_t)t->st.conns_live, k = 0;
    struct tw_conn **all = n ? malloc(n * sizeof *all) : NULL;
    if (all) {
        for (int l = 0; l < TW_LIST_TOMB; l++)
            for (struct tw_conn *c = t->head[l]; c && k < n; c = c->next)
                all[k++] = c;
        qsort(all, k, sizeof *all, cmp_id);
        for (size_t i = 0; i < k; i++)
            tw_flow_close_conn(t, all[i], TW_CLOSE_END, 0);
        free(all);
    }
    /* Without memory for the sort, close in activity order rather than not at all. */
    for (int l = 0; l < TW_LIST_TOMB; l++)
        while (t->head[l])
            tw_flow_close_conn(t, t->head[l], TW_CLOSE_END, 0);
    while (t->head[TW_LIST_TOMB])
        tw_flow_conn_free(t, t->head[TW_LIST_TOMB]);
}

/* ---- accessors -------------------------------------------------------------------------- */

uint64_t tw_conn_id(const struct tw_conn *c)
{
    return c->id;
}

const struct tw_endpoint *tw_conn_client(const struct tw_conn *c)
{
    return &c->cli;
}

const struct tw_endpoint *tw_conn_server(const struct tw_conn *c)
{
    return &c->srv;
}

const struct tw_ev_tcp *tw_conn_tcp(const struct tw_conn *c)
{
    return c->tcp;
}

void *tw_conn_app(const struct tw_conn *c)
{
    return c->app;
}

void tw_conn_set_app(struct tw_conn *c, void *app)
{
    c->app = app;
}

void tw_conn_settle(struct tw_conn *c)
{
    c->state |= TW_CONN_SETTLED;
}
